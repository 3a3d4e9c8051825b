// The read side of the Store: status, history, counts, cursors, outbox.
#include <fmt/format.h>

#include "cardd/common/civil_time.h"
#include "cardd/db/store.h"
#include "personal_codec.h"
#include "store_impl.h"

namespace cardd::db {
namespace {

// A cached statement, reset when the caller is done so that no read
// snapshot stays open between calls.
class Lease {
 public:
  explicit Lease(sqlite::Statement* s) : s_(s) {}
  Lease(Lease&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (s_ != nullptr) s_->reset();
  }
  sqlite::Statement* operator->() const { return s_; }

 private:
  sqlite::Statement* s_;
};

Result<Lease> prepare(Store::Impl& impl, std::string_view sql) {
  auto stmt = impl.statement(sql);
  if (!stmt) return stmt.error();
  return Lease(*stmt);
}

Error not_found(std::string_view id) {
  return make_error(DbError::not_found, fmt::format("no application {}", id));
}

}  // namespace

Result<sqlite::Statement*> Store::Impl::statement(std::string_view sql) {
  auto it = read_statements.find(sql);
  if (it == read_statements.end()) {
    auto stmt = sqlite::Statement::prepare(db.get(), sql);
    if (!stmt) return stmt.error();
    it = read_statements.emplace(sql, std::move(*stmt)).first;
  }
  return &it->second;
}

Result<ApplicationStatus> Store::status(std::string_view id) {
  std::lock_guard lock(impl_->mutex);
  return impl_->read_status(id);
}

Result<ApplicationStatus> Store::Impl::read_status(std::string_view id) {
  auto app =
      prepare(*this,
              "SELECT a.state, a.collection, a.created_at, a.updated_at, a.public_data, "
              "coalesce(a.errors, ''), coalesce(p.card_number, '') FROM applications a "
              "LEFT JOIN prepared_cards p USING (application_id) WHERE a.application_id = ?1");
  if (!app) return app.error();
  (*app)->bind(1, id);
  auto row = (*app)->step();
  if (!row) return row.error();
  if (!*row) return not_found(id);
  ApplicationStatus status;
  status.application_id = std::string(id);
  const auto state = state_from_string((*app)->column_text(0));
  if (!state)
    return make_error(DbError::corrupt, fmt::format("application {} has an unknown state", id));
  status.state = *state;
  status.collection =
      collection_from_string((*app)->column_text(1)).value_or(CollectionMethod::unknown);
  status.created_at = std::string((*app)->column_text(2));
  status.updated_at = std::string((*app)->column_text(3));
  status.card_number = std::string((*app)->column_text(6));
  auto reasons = rejection_from_json((*app)->column_text(5));
  if (!reasons) return reasons.error();
  status.rejection = std::move(*reasons);
  if (status.state != AppState::rejected) {
    auto details = details_from_json((*app)->column_text(4));
    if (!details) return details.error();
    status.details = std::move(*details);
  }

  auto history = prepare(
      *this,
      "SELECT seq, from_state, to_state, at, actor, coalesce(reason, '') FROM state_history "
      "WHERE application_id = ?1 ORDER BY seq");
  if (!history) return history.error();
  (*history)->bind(1, id);
  while (true) {
    auto next = (*history)->step();
    if (!next) return next.error();
    if (!*next) break;
    HistoryEvent e;
    e.seq = (*history)->column_int(0);
    if (!(*history)->column_is_null(1)) e.from = state_from_string((*history)->column_text(1));
    e.to = state_from_string((*history)->column_text(2)).value_or(AppState::received);
    e.at = std::string((*history)->column_text(3));
    e.actor = std::string((*history)->column_text(4));
    e.reason = std::string((*history)->column_text(5));
    status.history.push_back(std::move(e));
  }
  return status;
}

Result<std::string> Store::application_document(std::string_view application_id) {
  std::lock_guard lock(impl_->mutex);
  auto q = prepare(*impl_, "SELECT document FROM application_documents WHERE application_id = ?1");
  if (!q) return q.error();
  (*q)->bind(1, application_id);
  auto row = (*q)->step();
  if (!row) return row.error();
  if (!*row) return not_found(application_id);
  return std::string((*q)->column_text(0));
}

Result<PersonalData> Store::sensitive(std::string_view id, std::string_view actor,
                                      std::string_view purpose) {
  if (impl_->sealer == nullptr) return no_sealer();
  SealedPersonal sealed;
  {
    std::lock_guard lock(impl_->mutex);
    auto tx = impl_->begin_write();
    if (!tx) return tx.error();
    auto q = prepare(*impl_,
                     "SELECT a.personal, i.photo, i.id_front, i.id_back FROM applications a "
                     "LEFT JOIN application_images i USING (application_id) "
                     "WHERE a.application_id = ?1");
    if (!q) return q.error();
    (*q)->bind(1, id);
    auto row = (*q)->step();
    if (!row) return row.error();
    if (!*row) return not_found(id);
    if ((*q)->column_is_null(0))
      return make_error(DbError::not_found,
                        fmt::format("application {} has no personal data (rejected)", id));
    sealed.personal = (*q)->column_blob(0);
    sealed.photo = (*q)->column_blob(1);
    sealed.id_front = (*q)->column_blob(2);
    sealed.id_back = (*q)->column_blob(3);
    // The read is on record before anything is opened.
    if (auto s = impl_->audit.begin(); !s) return s.error();
    if (auto s = impl_->audit.append(
            {format_rfc3339_utc(unix_now()), actor, "personal.read", id, purpose});
        !s)
      return s.error();
    if (auto s = impl_->commit(*tx); !s) return s.error();
  }
  return open_personal(*impl_->sealer, id, sealed);
}

namespace {

// The first column of every row (ids), the statement's caller holding the lock.
Result<std::vector<std::string>> first_column(Lease& q) {
  std::vector<std::string> values;
  while (true) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    values.emplace_back(q->column_text(0));
  }
  return values;
}

Result<std::vector<std::string>> find_by_hash(Store::Impl& impl, std::string_view sql,
                                              std::string_view kind, std::string_view value) {
  if (impl.sealer == nullptr) return no_sealer();
  auto hash = impl.sealer->keyed_hash(kind, value);
  if (!hash) return hash.error();
  std::lock_guard lock(impl.mutex);
  auto q = prepare(impl, sql);
  if (!q) return q.error();
  (*q)->bind(1, *hash);
  return first_column(*q);
}

}  // namespace

Result<std::vector<std::string>> Store::find_by_id_number(std::string_view id_number) {
  return find_by_hash(*impl_,
                      "SELECT application_id FROM applications WHERE id_number_hash = ?1 "
                      "ORDER BY application_id",
                      kHashIdNumber, id_number);
}

Result<std::vector<std::string>> Store::find_by_name(std::string_view name) {
  return find_by_hash(
      *impl_,
      "SELECT application_id FROM applications WHERE name_hash = ?1 ORDER BY application_id",
      kHashName, name);
}

Result<std::vector<std::string>> Store::search(std::string_view text, std::int64_t limit) {
  std::string tail_hash;  // empty: matches no row
  if (text.size() >= kIdTailLength && impl_->sealer != nullptr) {
    auto hash = impl_->sealer->keyed_hash(kHashIdTail, id_number_tail(text));
    if (!hash) return hash.error();
    tail_hash = std::move(*hash);
  }
  std::lock_guard lock(impl_->mutex);
  auto q = prepare(*impl_,
                   "SELECT application_id FROM applications WHERE application_id = ?1 "
                   "OR id_tail_hash = ?2 UNION "
                   "SELECT application_id FROM prepared_cards WHERE card_number = ?1 "
                   "ORDER BY 1 LIMIT ?3");
  if (!q) return q.error();
  (*q)->bind(1, text).bind(2, tail_hash).bind(3, limit);
  return first_column(*q);
}

Result<std::vector<std::pair<std::string, std::int64_t>>> Store::entered_per_hour(
    AppState state, std::string_view since) {
  std::lock_guard lock(impl_->mutex);
  auto q = prepare(*impl_,
                   "SELECT substr(at, 1, 13) AS hour, count(*) FROM state_history "
                   "WHERE to_state = ?1 AND at >= ?2 GROUP BY hour ORDER BY hour");
  if (!q) return q.error();
  (*q)->bind(1, to_string(state)).bind(2, since);
  std::vector<std::pair<std::string, std::int64_t>> hours;
  while (true) {
    auto row = (*q)->step();
    if (!row) return row.error();
    if (!*row) break;
    hours.emplace_back(std::string((*q)->column_text(0)), (*q)->column_int(1));
  }
  return hours;
}

Result<std::optional<std::string>> Store::cursor(std::string_view source) {
  std::lock_guard lock(impl_->mutex);
  auto q = prepare(*impl_, "SELECT cursor FROM intake_cursors WHERE source = ?1");
  if (!q) return q.error();
  (*q)->bind(1, source);
  auto row = (*q)->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(std::string((*q)->column_text(0)));
}

namespace {

// Rows of (text, count) from `sql`, keyed by what `key` makes of the text
// (rows it cannot name are left out).
template <typename Key, typename ToKey>
Result<std::map<Key, std::int64_t>> count_groups(Store::Impl& impl, std::string_view sql,
                                                 ToKey key) {
  auto q = prepare(impl, sql);
  if (!q) return q.error();
  std::map<Key, std::int64_t> counts;
  while (true) {
    auto row = (*q)->step();
    if (!row) return row.error();
    if (!*row) break;
    if (const std::optional<Key> k = key((*q)->column_text(0))) counts[*k] = (*q)->column_int(1);
  }
  return counts;
}

}  // namespace

Result<std::map<AppState, std::int64_t>> Store::count_by_state() {
  std::lock_guard lock(impl_->mutex);
  return count_groups<AppState>(*impl_, "SELECT state, count(*) FROM applications GROUP BY state",
                                state_from_string);
}

Result<std::map<AppState, std::int64_t>> Store::count_reached() {
  std::lock_guard lock(impl_->mutex);
  return count_groups<AppState>(
      *impl_,
      "SELECT to_state, count(DISTINCT application_id) FROM state_history GROUP BY to_state",
      state_from_string);
}

Result<std::map<std::string, std::int64_t>> Store::spoiled_by_reason() {
  std::lock_guard lock(impl_->mutex);
  return count_groups<std::string>(
      *impl_, "SELECT reason, count(*) FROM cards WHERE state = 'SPOILED' GROUP BY reason",
      [](std::string_view r) { return std::optional<std::string>(r); });
}

Result<std::vector<std::string>> Store::to_produce(std::int64_t limit) {
  std::lock_guard lock(impl_->mutex);
  auto q = prepare(
      *impl_,
      "SELECT application_id FROM applications WHERE state IN ('VALIDATED', "
      "'QUEUED', 'PREPARED', 'ENCODING') ORDER BY json_extract(public_data, '$.submitted_at'), "
      "created_at, application_id LIMIT ?1");
  if (!q) return q.error();
  (*q)->bind(1, limit);
  std::vector<std::string> out;
  while (true) {
    auto row = (*q)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.emplace_back((*q)->column_text(0));
  }
  return out;
}

namespace {

// `sql` a literal (statements are cached by it) taking ?1 after_seq, ?2 limit.
Result<std::vector<OutboxMessage>> outbox_rows(Store::Impl& impl, std::string_view sql,
                                               std::int64_t after_seq, std::int64_t limit) {
  auto q = prepare(impl, sql);
  if (!q) return q.error();
  (*q)->bind(1, after_seq);
  (*q)->bind(2, limit);
  std::vector<OutboxMessage> out;
  while (true) {
    auto row = (*q)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({(*q)->column_int(0), std::string((*q)->column_text(1)),
                   std::string((*q)->column_text(2)), std::string((*q)->column_text(3)),
                   (*q)->column_int(4)});
  }
  return out;
}

}  // namespace

Result<std::vector<OutboxMessage>> Store::pending_outbox(std::int64_t limit) {
  std::lock_guard lock(impl_->mutex);
  return outbox_rows(*impl_,
                     "SELECT seq, application_id, event_id, payload, attempts FROM outbox "
                     "WHERE seq > ?1 AND sent_at IS NULL ORDER BY seq LIMIT ?2",
                     0, limit);
}

Result<std::vector<OutboxMessage>> Store::outbox_after(std::int64_t after_seq, std::int64_t limit) {
  std::lock_guard lock(impl_->mutex);
  return outbox_rows(*impl_,
                     "SELECT seq, application_id, event_id, payload, attempts FROM outbox "
                     "WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                     after_seq, limit);
}

Result<std::vector<ApplicationSummary>> Store::applications_in_state(AppState state,
                                                                     std::string_view after_id,
                                                                     std::int64_t limit) {
  std::lock_guard lock(impl_->mutex);
  auto q = prepare(*impl_,
                   "SELECT application_id, collection, updated_at FROM applications "
                   "WHERE state = ?1 AND application_id > ?2 ORDER BY application_id LIMIT ?3");
  if (!q) return q.error();
  (*q)->bind(1, to_string(state)).bind(2, after_id).bind(3, limit);
  std::vector<ApplicationSummary> out;
  while (true) {
    auto row = (*q)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({std::string((*q)->column_text(0)), state,
                   collection_from_string((*q)->column_text(1)).value_or(CollectionMethod::unknown),
                   std::string((*q)->column_text(2))});
  }
  return out;
}

}  // namespace cardd::db

namespace cardd::db {

namespace {

Result<std::int64_t> count_one(Store::Impl& impl, std::string_view sql) {
  auto q = prepare(impl, sql);
  if (!q) return q.error();
  auto row = (*q)->step();
  if (!row) return row.error();
  return (*q)->column_int(0);
}

}  // namespace

Result<std::int64_t> Store::outbox_backlog() {
  std::lock_guard lock(impl_->mutex);
  return count_one(*impl_, "SELECT count(*) FROM outbox WHERE sent_at IS NULL");
}

Result<std::int64_t> Store::outbox_total() {
  std::lock_guard lock(impl_->mutex);
  return count_one(*impl_, "SELECT count(*) FROM outbox");
}

}  // namespace cardd::db
