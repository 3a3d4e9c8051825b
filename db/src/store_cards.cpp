// Blank-card stock, the cards bound to applications, number allocators and
// prepared records. Every change that touches an application's state runs in
// the same transaction as that state change.
#include <fmt/format.h>

#include "cardd/common/civil_time.h"
#include "cardd/db/store.h"
#include "personal_codec.h"
#include "store_impl.h"
#include "store_sql.h"

namespace cardd::db {
namespace {

std::optional<CardState> card_state_from(std::string_view s) {
  for (const CardState c : {CardState::encoding, CardState::encoded, CardState::spoiled})
    if (to_string(c) == s) return c;
  return std::nullopt;
}

// The state of a claimed card of this application, or not_found.
Result<CardState> claimed_state(Store::Impl& impl, std::string_view application_id,
                                std::string_view chip_id) {
  auto stmt = impl.statement("SELECT state FROM cards WHERE chip_id = ?1 AND application_id = ?2");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, chip_id).bind(2, application_id);
  auto row = (*stmt)->step();
  std::optional<CardState> state;
  if (row && *row) state = card_state_from((*stmt)->column_text(0));
  (*stmt)->reset();
  if (!row) return row.error();
  if (!state)
    return make_error(DbError::not_found, fmt::format("chip {} is not bound to application {}",
                                                      chip_id, application_id));
  return *state;
}

Status finish(Store::Impl& impl, std::string_view application_id, std::string_view chip_id,
              CardState to, AppState app_to, std::string_view reason, std::string_view actor) {
  auto state = claimed_state(impl, application_id, chip_id);
  if (!state) return state.error();
  // An encoded card is still spoiled when printing or QC fails.
  const bool spoiling_encoded = to == CardState::spoiled && *state == CardState::encoded;
  if (*state != CardState::encoding && !spoiling_encoded)
    return make_error(DbError::illegal_transition,
                      fmt::format("chip {} is already {}", chip_id, to_string(*state)));
  if (auto s =
          run(impl, "UPDATE cards SET state = ?2, reason = ?3, finished_at = ?4 WHERE chip_id = ?1",
              chip_id, to_string(to), reason, now());
      !s)
    return s;
  const std::string why = to == CardState::spoiled
                              ? fmt::format("card {} spoiled: {}", chip_id, reason)
                              : fmt::format("card {} encoded", chip_id);
  return impl.move(application_id, app_to, actor, why);
}

}  // namespace

std::string_view to_string(CardState s) {
  switch (s) {
    case CardState::encoding:
      return "ENCODING";
    case CardState::encoded:
      return "ENCODED";
    case CardState::spoiled:
      return "SPOILED";
  }
  return "?";
}

Status Store::add_lot(const CardLot& lot, std::string_view actor) {
  return in_transaction(*impl_, [&]() -> Status {
    auto overlap = impl_->statement(
        "SELECT lot FROM card_lots WHERE lot = ?1 OR ((chip_prefix = ?2 OR chip_prefix = '' OR "
        "?2 = '') AND first_serial < ?3 + ?4 AND ?3 < first_serial + count)");
    if (!overlap) return overlap.error();
    (*overlap)
        ->bind(1, lot.lot)
        .bind(2, lot.chip_prefix)
        .bind(3, static_cast<std::int64_t>(lot.first_serial))
        .bind(4, lot.count);
    auto row = (*overlap)->step();
    const std::string other = row && *row ? std::string((*overlap)->column_text(0)) : "";
    (*overlap)->reset();
    if (!row) return row.error();
    if (!other.empty())
      return make_error(DbError::conflict,
                        other == lot.lot ? fmt::format("lot {} exists already", lot.lot)
                                         : fmt::format("lot {} overlaps lot {}", lot.lot, other));
    if (auto s = run(*impl_,
                     "INSERT INTO card_lots(lot, chip_prefix, first_serial, count, received_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
                     lot.lot, lot.chip_prefix, static_cast<std::int64_t>(lot.first_serial),
                     lot.count, now());
        !s)
      return s;
    if (auto s = impl_->audit.begin(); !s) return s;
    return impl_->audit.append({now(), std::string(actor), "stock.add_lot", lot.lot,
                                fmt::format("{} cards from serial {}{:08X}", lot.count,
                                            lot.chip_prefix, lot.first_serial)});
  });
}

Result<std::vector<StockLine>> Store::stock() {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT l.lot, l.chip_prefix, l.first_serial, l.count, "
      "  sum(c.state = 'ENCODED'), sum(c.state = 'SPOILED'), sum(c.state = 'ENCODING') "
      "FROM card_lots l LEFT JOIN cards c ON c.lot = l.lot GROUP BY l.lot ORDER BY l.lot");
  if (!stmt) return stmt.error();
  std::vector<StockLine> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) {
    StockLine l;
    l.lot = std::string(r.column_text(0));
    l.chip_prefix = std::string(r.column_text(1));
    l.first_serial = static_cast<std::uint32_t>(r.column_int(2));
    l.received = r.column_int(3);
    l.used = r.column_int(4);
    l.spoiled = r.column_int(5);
    l.in_progress = r.column_int(6);
    l.left = l.received - l.used - l.spoiled - l.in_progress;
    out.push_back(std::move(l));
  });
  if (!s) return s.error();
  return out;
}

Status Store::claim_card(std::string_view application_id, std::string_view chip_id,
                         std::string_view actor, std::string_view holder,
                         std::int64_t lease_seconds) {
  if (chip_id.size() != 16)
    return make_error(DbError::not_in_stock,
                      fmt::format("chip id {} is not 16 hex digits", chip_id));
  std::uint32_t serial = 0;
  try {
    serial = static_cast<std::uint32_t>(std::stoul(std::string(chip_id.substr(8)), nullptr, 16));
  } catch (const std::exception&) {
    return make_error(DbError::not_in_stock, fmt::format("chip id {} is not hex", chip_id));
  }
  return in_transaction(*impl_, [&]() -> Status {
    auto used = impl_->statement("SELECT state, application_id FROM cards WHERE chip_id = ?1");
    if (!used) return used.error();
    (*used)->bind(1, chip_id);
    auto row = (*used)->step();
    const std::string previous =
        row && *row ? fmt::format("{} for {}", (*used)->column_text(0), (*used)->column_text(1))
                    : "";
    (*used)->reset();
    if (!row) return row.error();
    if (!previous.empty())
      return make_error(DbError::card_used,
                        fmt::format("chip {} was used already ({})", chip_id, previous));
    auto lot = impl_->statement(
        "SELECT lot FROM card_lots WHERE (chip_prefix = '' OR chip_prefix = ?1) AND "
        "first_serial <= ?2 AND ?2 < first_serial + count");
    if (!lot) return lot.error();
    (*lot)->bind(1, chip_id.substr(0, 8)).bind(2, static_cast<std::int64_t>(serial));
    row = (*lot)->step();
    const std::string lot_name = row && *row ? std::string((*lot)->column_text(0)) : "";
    (*lot)->reset();
    if (!row) return row.error();
    if (lot_name.empty())
      return make_error(DbError::not_in_stock,
                        fmt::format("chip {} is in no loaded blank-card lot", chip_id));
    if (auto s = run(*impl_,
                     "INSERT INTO cards(chip_id, lot, application_id, state, claimed_at, holder, "
                     "lease_until) VALUES (?1, ?2, ?3, 'ENCODING', ?4, ?5, ?6)",
                     chip_id, lot_name, application_id, now(), holder, unix_now() + lease_seconds);
        !s)
      return s;
    return impl_->move(application_id, AppState::encoding, actor,
                       fmt::format("card {} from lot {}", chip_id, lot_name));
  });
}

Status Store::hold_claim(std::string_view application_id, std::string_view chip_id,
                         std::string_view holder, std::int64_t lease_seconds) {
  return in_transaction(*impl_, [&]() -> Status {
    auto stmt = impl_->statement(
        "SELECT state, holder, written, lease_until FROM cards WHERE chip_id = ?1 AND "
        "application_id = ?2");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, chip_id).bind(2, application_id);
    auto row = (*stmt)->step();
    const bool held = row && *row && (*stmt)->column_text(0) == to_string(CardState::encoding) &&
                      (*stmt)->column_text(1) == holder;
    const std::string state = row && *row ? std::string((*stmt)->column_text(0)) : "unknown";
    const bool written = row && *row && (*stmt)->column_int(2) != 0;
    const std::int64_t lease_until = row && *row ? (*stmt)->column_int(3) : 0;
    (*stmt)->reset();
    if (!row) return row.error();
    if (!held)
      return make_error(DbError::claim_lost,
                        fmt::format("chip {} of application {} is no longer this session's ({})",
                                    chip_id, application_id, state));
    // A session checks before every STORE DATA: the row changes only for the
    // first write and when half the lease is gone, not ~60 times per card.
    const std::int64_t now_s = unix_now();
    if (written && lease_until - now_s > lease_seconds / 2) return {};
    return run(*impl_, "UPDATE cards SET lease_until = ?2, written = 1 WHERE chip_id = ?1", chip_id,
               now_s + lease_seconds);
  });
}

Result<std::optional<CardClaim>> Store::active_claim(std::string_view application_id) {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT chip_id, holder, lease_until, written FROM cards WHERE application_id = ?1 AND "
      "state = 'ENCODING'");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, application_id);
  std::optional<CardClaim> claim;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) {
    claim = CardClaim{std::string(r.column_text(0)), std::string(r.column_text(1)), r.column_int(2),
                      r.column_int(3) != 0};
  });
  if (!s) return s.error();
  return claim;
}

Status Store::finish_card(std::string_view application_id, std::string_view chip_id,
                          std::string_view actor) {
  return in_transaction(*impl_, [&] {
    return finish(*impl_, application_id, chip_id, CardState::encoded, AppState::encoded, "",
                  actor);
  });
}

Status Store::spoil_card(std::string_view application_id, std::string_view chip_id,
                         std::string_view reason, std::string_view actor) {
  return in_transaction(*impl_, [&] {
    return finish(*impl_, application_id, chip_id, CardState::spoiled, AppState::queued, reason,
                  actor);
  });
}

Status Store::spoil_card_retiring_numbers(std::string_view application_id, std::string_view chip_id,
                                          std::string_view reason, std::string_view actor) {
  return in_transaction(*impl_, [&]() -> Status {
    if (auto s = finish(*impl_, application_id, chip_id, CardState::spoiled, AppState::queued,
                        reason, actor);
        !s)
      return s;
    if (auto s = run(*impl_,
                     "INSERT INTO retired_numbers(card_number, pan_hash, application_id, chip_id, "
                     "reason, retired_at) SELECT card_number, pan_hash, application_id, ?2, ?3, ?4 "
                     "FROM prepared_cards WHERE application_id = ?1",
                     application_id, chip_id, reason, now());
        !s)
      return s;
    return run(*impl_, "DELETE FROM prepared_cards WHERE application_id = ?1", application_id);
  });
}

Result<std::vector<RetiredNumber>> Store::retired_numbers() {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT card_number, application_id, chip_id, reason, retired_at FROM retired_numbers "
      "ORDER BY retired_at, card_number");
  if (!stmt) return stmt.error();
  std::vector<RetiredNumber> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) {
    out.push_back({std::string(r.column_text(0)), std::string(r.column_text(1)),
                   std::string(r.column_text(2)), std::string(r.column_text(3)),
                   std::string(r.column_text(4))});
  });
  if (!s) return s.error();
  return out;
}

Result<std::vector<CardRecord>> Store::cards_of(std::string_view application_id) {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT chip_id, lot, state, reason FROM cards WHERE application_id = ?1 ORDER BY "
      "claimed_at, "
      "rowid");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, application_id);
  std::vector<CardRecord> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) {
    CardRecord c;
    c.chip_id = std::string(r.column_text(0));
    c.lot = std::string(r.column_text(1));
    c.application_id = std::string(application_id);
    c.state = card_state_from(r.column_text(2)).value_or(CardState::spoiled);
    c.reason = std::string(r.column_text(3));
    out.push_back(std::move(c));
  });
  if (!s) return s.error();
  return out;
}

Result<std::optional<CardRecord>> Store::card(std::string_view chip_id) {
  std::lock_guard lock(impl_->mutex);
  auto stmt =
      impl_->statement("SELECT lot, application_id, state, reason FROM cards WHERE chip_id = ?1");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, chip_id);
  std::optional<CardRecord> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) {
    out = CardRecord{std::string(chip_id), std::string(r.column_text(0)),
                     std::string(r.column_text(1)),
                     card_state_from(r.column_text(2)).value_or(CardState::spoiled),
                     std::string(r.column_text(3))};
  });
  if (!s) return s.error();
  return out;
}

Result<std::int64_t> Store::allocate(std::string_view counter, std::int64_t first,
                                     std::int64_t last) {
  std::int64_t value = 0;
  Status s = in_transaction(*impl_, [&]() -> Status {
    auto stmt = impl_->statement("SELECT next FROM allocators WHERE name = ?1");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, counter);
    auto row = (*stmt)->step();
    value = row && *row ? (*stmt)->column_int(0) : first;
    (*stmt)->reset();
    if (!row) return row.error();
    value = std::max(value, first);
    if (value > last)
      return make_error(DbError::exhausted, fmt::format("the range of {} is used up", counter));
    return run(*impl_,
               "INSERT INTO allocators(name, next) VALUES (?1, ?2) "
               "ON CONFLICT(name) DO UPDATE SET next = excluded.next",
               counter, value + 1);
  });
  if (!s) return s.error();
  return value;
}

Status Store::save_prepared(std::string_view application_id, const PreparedRecord& record,
                            std::string_view actor) {
  if (impl_->sealer == nullptr) return no_sealer();
  auto sealed = seal_prepared(*impl_->sealer, application_id, record);
  if (!sealed) return sealed.error();
  auto pan_hash = impl_->sealer->keyed_hash(kHashPan, record.pan);
  if (!pan_hash) return pan_hash.error();
  return in_transaction(*impl_, [&]() -> Status {
    auto retired =
        impl_->statement("SELECT 1 FROM retired_numbers WHERE card_number = ?1 OR pan_hash = ?2");
    if (!retired) return retired.error();
    (*retired)->bind(1, record.card_number);
    (*retired)->bind(2, *pan_hash);
    auto hit = (*retired)->step();
    (*retired)->reset();
    if (!hit) return hit.error();
    if (*hit)
      return make_error(DbError::conflict,
                        fmt::format("card number {} (or its PAN) was retired with a spoiled card",
                                    record.card_number));
    if (auto s = run(*impl_,
                     "INSERT INTO prepared_cards(application_id, profile, card_number, pan_hash, "
                     "issue_date, expiry_date, bank, data, created_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                     "ON CONFLICT(application_id) DO NOTHING",
                     application_id, record.profile, record.card_number, *pan_hash,
                     record.issue_date.to_iso(), record.expiry_date.to_iso(), record.bank,
                     Blob{*sealed}, now());
        !s)
      return s;
    return impl_->move(application_id, AppState::prepared, actor,
                       fmt::format("card number {}", record.card_number));
  });
}

Result<std::optional<PreparedRecord>> Store::prepared(std::string_view application_id,
                                                      std::string_view actor,
                                                      std::string_view purpose) {
  if (impl_->sealer == nullptr) return no_sealer();
  std::optional<PreparedRecord> out;
  std::string sealed;
  Status s = in_transaction(*impl_, [&]() -> Status {
    auto stmt = impl_->statement(
        "SELECT profile, card_number, issue_date, expiry_date, bank, data FROM prepared_cards "
        "WHERE application_id = ?1");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, application_id);
    auto row = (*stmt)->step();
    std::optional<CivilDate> issue, expiry;
    if (row && *row) {
      PreparedRecord r;
      r.profile = std::string((*stmt)->column_text(0));
      r.card_number = std::string((*stmt)->column_text(1));
      issue = CivilDate::parse_iso((*stmt)->column_text(2));
      expiry = CivilDate::parse_iso((*stmt)->column_text(3));
      r.bank = std::string((*stmt)->column_text(4));
      sealed = (*stmt)->column_blob(5);
      out = std::move(r);
    }
    (*stmt)->reset();
    if (!row) return row.error();
    if (!out) return {};
    if (!issue || !expiry)
      return make_error(DbError::corrupt,
                        fmt::format("prepared card of {} has no valid dates", application_id));
    out->issue_date = *issue;
    out->expiry_date = *expiry;
    if (auto a = impl_->audit.begin(); !a) return a;
    return impl_->audit.append(
        {now(), actor, "personal.read", application_id, fmt::format("prepared card: {}", purpose)});
  });
  if (!s) return s.error();
  if (out)
    if (auto opened = open_prepared(*impl_->sealer, application_id, sealed, *out); !opened)
      return opened.error();
  return out;
}

}  // namespace cardd::db
