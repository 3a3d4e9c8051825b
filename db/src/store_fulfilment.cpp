// Mail and branch fulfilment records (FulfilmentRepository).
#include <fmt/format.h>

#include "cardd/db/store.h"
#include "personal_codec.h"
#include "store_impl.h"
#include "store_sql.h"

namespace cardd::db {
namespace {

Shipment shipment_from(const sqlite::Statement& r) {
  return Shipment{std::string(r.column_text(0)), std::string(r.column_text(1)),
                  std::string(r.column_text(2)), std::string(r.column_text(3)),
                  std::string(r.column_text(4))};
}

constexpr std::string_view kShipmentColumns =
    "SELECT application_id, pack_id, postal_area, courier, COALESCE(tracking_number, '') "
    "FROM shipments ";

// Under the store's lock.
Result<std::vector<Shipment>> shipment_rows(Store::Impl& impl, std::string_view sql,
                                            std::string_view key) {
  auto stmt = impl.statement(sql);
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, key);
  std::vector<Shipment> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) { out.push_back(shipment_from(r)); });
  if (!s) return s.error();
  return out;
}

Result<std::vector<Shipment>> shipments_where(Store::Impl& impl, std::string_view sql,
                                              std::string_view key) {
  std::lock_guard lock(impl.mutex);
  return shipment_rows(impl, sql, key);
}

Result<std::vector<WaitingApplication>> waiting_rows(sqlite::Statement& stmt) {
  std::vector<WaitingApplication> out;
  Status s = each_row(stmt, [&](const sqlite::Statement& r) {
    out.push_back({std::string(r.column_text(0)), std::string(r.column_text(1)),
                   std::string(r.column_text(2)), std::string(r.column_text(3))});
  });
  if (!s) return s.error();
  return out;
}

std::optional<Shipment> first(std::vector<Shipment> found) {
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

}  // namespace

Result<std::vector<WaitingApplication>> Store::waiting(AppState state, CollectionMethod collection,
                                                       std::int64_t limit) {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT application_id, COALESCE(json_extract(public_data, '$.recipient.postal_code'), ''), "
      "COALESCE(json_extract(public_data, '$.issuing_branch'), ''), updated_at FROM applications "
      "WHERE state = ?1 AND collection = ?2 ORDER BY updated_at, application_id LIMIT ?3");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, to_string(state)).bind(2, to_string(collection)).bind(3, limit);
  return waiting_rows(**stmt);
}

Result<std::vector<WaitingApplication>> Store::at_branch(const BranchQuery& query) {
  // No value, no filter: the empty hash matches every row.
  const auto hash_of = [this](std::string_view kind,
                              const std::string& value) -> Result<std::string> {
    if (value.empty()) return std::string();
    if (impl_->sealer == nullptr) return no_sealer();
    return impl_->sealer->keyed_hash(kind, value);
  };
  auto name_hash = hash_of(kHashName, query.name);
  if (!name_hash) return name_hash.error();
  auto tail_hash = hash_of(kHashIdTail, id_number_tail(query.id_tail));
  if (!tail_hash) return tail_hash.error();
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT application_id, COALESCE(json_extract(public_data, '$.recipient.postal_code'), ''), "
      "json_extract(public_data, '$.issuing_branch') AS branch, updated_at FROM applications "
      "WHERE state = ?1 AND branch = ?2 AND (?3 = '' OR name_hash = ?3) "
      "AND (?4 = '' OR id_tail_hash = ?4) AND application_id > ?5 "
      "ORDER BY application_id LIMIT ?6");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, to_string(query.state)).bind(2, query.branch).bind(3, *name_hash);
  (*stmt)->bind(4, *tail_hash).bind(5, query.after_id).bind(6, query.limit);
  return waiting_rows(**stmt);
}

Status Store::pack(std::string_view pack_id, std::string_view postal_area,
                   const std::vector<std::string>& application_ids, std::string_view actor) {
  return in_transaction(*impl_, [&]() -> Status {
    const std::string at = now();
    for (const std::string& id : application_ids) {
      if (auto s = impl_->move(id, AppState::packed, actor,
                               fmt::format("pack {} (postal area {})", pack_id, postal_area));
          !s)
        return s;
      if (auto s = run(*impl_,
                       "INSERT INTO shipments(application_id, pack_id, postal_area, packed_at) "
                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(application_id) DO UPDATE SET "
                       "pack_id = ?2, postal_area = ?3, packed_at = ?4",
                       id, pack_id, postal_area, at);
          !s)
        return s;
    }
    return {};
  });
}

Status Store::ship(std::string_view application_id, std::string_view courier,
                   std::string_view tracking_number, std::string_view actor) {
  return in_transaction(*impl_, [&]() -> Status {
    auto used = impl_->statement("SELECT application_id FROM shipments WHERE tracking_number = ?1");
    if (!used) return used.error();
    (*used)->bind(1, tracking_number);
    auto row = (*used)->step();
    (*used)->reset();
    if (!row) return row.error();
    if (*row)
      return make_error(
          DbError::conflict,
          fmt::format("tracking number {} was given to another card", tracking_number));
    if (auto s = run(*impl_,
                     "UPDATE shipments SET courier = ?2, tracking_number = ?3, shipped_at = ?4 "
                     "WHERE application_id = ?1",
                     application_id, courier, tracking_number, now());
        !s)
      return s;
    return impl_->move(application_id, AppState::shipped, actor,
                       fmt::format("{} {}", courier, tracking_number));
  });
}

Result<std::vector<Shipment>> Store::pack_contents(std::string_view pack_id) {
  static const std::string sql =
      fmt::format("{}WHERE pack_id = ?1 ORDER BY application_id", kShipmentColumns);
  return shipments_where(*impl_, sql, pack_id);
}

Result<std::optional<Shipment>> Store::Impl::read_shipment(std::string_view application_id) {
  static const std::string sql = fmt::format("{}WHERE application_id = ?1", kShipmentColumns);
  auto found = shipment_rows(*this, sql, application_id);
  if (!found) return found.error();
  return first(std::move(*found));
}

Result<std::optional<Shipment>> Store::shipment(std::string_view application_id) {
  std::lock_guard lock(impl_->mutex);
  return impl_->read_shipment(application_id);
}

Result<std::optional<Shipment>> Store::shipment_by_tracking(std::string_view tracking) {
  static const std::string sql = fmt::format("{}WHERE tracking_number = ?1", kShipmentColumns);
  auto found = shipments_where(*impl_, sql, tracking);
  if (!found) return found.error();
  return first(std::move(*found));
}

namespace {

// The first column of every row of `sql` (SQL text kept by the statement
// cache, so a literal), with ?1 = limit.
Result<std::vector<std::string>> pack_ids(Store::Impl& impl, std::string_view sql,
                                          std::int64_t limit) {
  std::lock_guard lock(impl.mutex);
  auto stmt = impl.statement(sql);
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, limit);
  std::vector<std::string> out;
  Status s =
      each_row(**stmt, [&](const sqlite::Statement& r) { out.emplace_back(r.column_text(0)); });
  if (!s) return s.error();
  return out;
}

}  // namespace

// COUNT(tracking_number) counts the shipped cards only (NULL until shipped).
Result<std::vector<std::string>> Store::packs_to_ship(std::int64_t limit) {
  return pack_ids(*impl_,
                  "SELECT pack_id FROM shipments GROUP BY pack_id "
                  "HAVING COUNT(tracking_number) < COUNT(*) ORDER BY MIN(packed_at), pack_id "
                  "LIMIT ?1",
                  limit);
}

Result<std::vector<std::string>> Store::packs_awaiting_documents(std::int64_t limit) {
  return pack_ids(*impl_,
                  "SELECT pack_id FROM shipments WHERE pack_id NOT IN (SELECT pack_id FROM "
                  "pack_documents) GROUP BY pack_id HAVING COUNT(tracking_number) = COUNT(*) "
                  "ORDER BY MAX(shipped_at), pack_id LIMIT ?1",
                  limit);
}

Status Store::mark_documents_printed(std::string_view pack_id) {
  return in_transaction(*impl_, [&]() -> Status {
    return run(*impl_,
               "INSERT INTO pack_documents(pack_id, printed_at) VALUES (?1, ?2) "
               "ON CONFLICT(pack_id) DO NOTHING",
               pack_id, now());
  });
}

Result<EventOutcome> Store::record_courier_event(const CourierEventRecord& event,
                                                 std::string_view application_id,
                                                 std::optional<AppState> to,
                                                 std::string_view actor) {
  EventOutcome outcome = EventOutcome::recorded;
  Status s = in_transaction(*impl_, [&]() -> Status {
    auto seen = impl_->statement(
        "SELECT tracking_number, event, occurred_at, detail FROM courier_events "
        "WHERE event_id = ?1");
    if (!seen) return seen.error();
    (*seen)->bind(1, event.event_id);
    auto row = (*seen)->step();
    if (!row) {
      (*seen)->reset();
      return row.error();
    }
    if (*row) {
      const bool same = (*seen)->column_text(0) == event.tracking_number &&
                        (*seen)->column_text(1) == event.event &&
                        (*seen)->column_text(2) == event.occurred_at &&
                        (*seen)->column_text(3) == event.detail;
      (*seen)->reset();
      if (!same)
        return make_error(
            DbError::conflict,
            fmt::format("courier event {} was recorded with other content", event.event_id));
      outcome = EventOutcome::duplicate;
      return {};
    }
    (*seen)->reset();
    if (auto r = run(*impl_,
                     "INSERT INTO courier_events(event_id, tracking_number, event, occurred_at, "
                     "detail, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                     event.event_id, event.tracking_number, event.event, event.occurred_at,
                     event.detail, now());
        !r)
      return r;
    if (!to) return {};
    return impl_->move(
        application_id, *to, actor,
        fmt::format("courier: {} {} ({})", event.event, event.occurred_at, event.detail));
  });
  if (!s) return s.error();
  return outcome;
}

Result<std::vector<CourierEventRecord>> Store::courier_events(std::string_view tracking) {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT event_id, tracking_number, event, occurred_at, detail, received_at "
      "FROM courier_events WHERE tracking_number = ?1 ORDER BY received_at, rowid");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, tracking);
  std::vector<CourierEventRecord> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) {
    out.push_back({std::string(r.column_text(0)), std::string(r.column_text(1)),
                   std::string(r.column_text(2)), std::string(r.column_text(3)),
                   std::string(r.column_text(4)), std::string(r.column_text(5))});
  });
  if (!s) return s.error();
  return out;
}

// The outbox's write side (the pusher's), here with the other
// after-production writes.
Status Store::mark_sent(std::int64_t seq) {
  std::lock_guard lock(impl_->mutex);
  return run(*impl_,
             "UPDATE outbox SET sent_at = ?2, attempts = attempts + 1 WHERE seq = ?1 AND "
             "sent_at IS NULL",
             seq, now());
}

Status Store::mark_attempt_failed(std::int64_t seq) {
  std::lock_guard lock(impl_->mutex);
  return run(*impl_, "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1", seq);
}

}  // namespace cardd::db
