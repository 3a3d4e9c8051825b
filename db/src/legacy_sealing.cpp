#include "legacy_sealing.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cardd/db/error.h"
#include "personal_codec.h"
#include "sqlite.h"

namespace cardd::db {
namespace {

using nlohmann::json;

// Schema 2's codec: a 0x00 scheme byte, then the value as is.
Result<std::string> legacy_plain(const sqlite::Statement& q, int column) {
  if (q.column_is_null(column)) return std::string();
  std::string v = q.column_blob(column);
  if (v.empty()) return std::string();
  if (v.front() != '\0') return make_error(DbError::corrupt, "a legacy value of unknown scheme");
  return v.substr(1);
}

std::string text(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::vector<std::string>> valid_ids(sqlite3* db) {
  auto q = sqlite::Statement::prepare(
      db, "SELECT application_id FROM applications WHERE errors IS NULL ORDER BY application_id");
  if (!q) return q.error();
  std::vector<std::string> ids;
  while (true) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    ids.emplace_back(q->column_text(0));
  }
  return ids;
}

struct Holder {
  std::string name;
  std::string id_number;
  std::string bank;
};

Result<Holder> seal_application(sqlite3* db, Sealer& sealer, const std::string& id) {
  auto q = sqlite::Statement::prepare(
      db,
      "SELECT a.public_data, a.id_number, a.mobile, a.recipient_mobile, i.photo, i.id_front, "
      "i.id_back FROM applications a LEFT JOIN application_images i USING (application_id) "
      "WHERE a.application_id = ?1");
  if (!q) return q.error();
  q->bind(1, id);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return make_error(DbError::not_found, fmt::format("no application {}", id));
  const std::string public_data(q->column_text(0));
  const json j = json::parse(public_data, nullptr, false);
  PersonalData p;
  p.name = text(j, "name");
  p.residence_address = text(j, "residence_address");
  if (const auto r = j.find("recipient"); r != j.end() && r->is_object()) {
    p.recipient_name = text(*r, "name");
    p.recipient_address = text(*r, "address");
  }
  std::string* columns[] = {&p.id_number, &p.mobile,   &p.recipient_mobile,
                            &p.photo,     &p.id_front, &p.id_back};
  for (int c = 0; c < 6; ++c) {
    auto plain = legacy_plain(*q, c + 1);
    if (!plain) return plain.error();
    *columns[c] = std::move(*plain);
  }
  q->reset();
  auto details = details_from_json(public_data);
  if (!details) return details.error();
  auto sealed = seal_personal(sealer, id, p);
  if (!sealed) return sealed.error();

  auto app = sqlite::Statement::prepare(
      db,
      "UPDATE applications SET personal = ?2, id_number_hash = ?3, name_hash = ?4, "
      "public_data = ?5, id_number = NULL, mobile = NULL, recipient_mobile = NULL "
      "WHERE application_id = ?1");
  if (!app) return app.error();
  app->bind(1, id)
      .bind_blob(2, sealed->personal)
      .bind(3, sealed->id_number_hash)
      .bind(4, sealed->name_hash)
      .bind(5, details_to_json(*details));
  if (auto s = app->run(); !s) return s.error();
  auto images = sqlite::Statement::prepare(
      db,
      "UPDATE application_images SET photo = ?2, id_front = ?3, id_back = ?4 "
      "WHERE application_id = ?1");
  if (!images) return images.error();
  images->bind(1, id)
      .bind_blob(2, sealed->photo)
      .bind_blob(3, sealed->id_front)
      .bind_blob(4, sealed->id_back);
  if (auto s = images->run(); !s) return s.error();
  return Holder{p.name, p.id_number, details->issuing_bank};
}

Status reseal_prepared(sqlite3* db, Sealer& sealer, const std::map<std::string, Holder>& holders) {
  auto q = sqlite::Statement::prepare(
      db, "SELECT application_id, profile, card_number, data, created_at FROM prepared_cards");
  if (!q) return q.error();
  auto insert = sqlite::Statement::prepare(
      db,
      "INSERT INTO prepared_cards_v3(application_id, profile, card_number, pan_hash, issue_date, "
      "expiry_date, bank, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!insert) return insert.error();
  while (true) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    const std::string id(q->column_text(0));
    // Schema 2 sealed prepared cards without associated data.
    auto plain = sealer.open(q->column_blob(3), "");
    if (!plain) return plain.error();
    const json card = json::parse(*plain, nullptr, false);
    const auto issue = CivilDate::parse_iso(text(card, "issue_date"));
    const auto expiry = CivilDate::parse_iso(text(card, "expiry_date"));
    const auto holder = holders.find(id);
    if (!issue || !expiry || holder == holders.end())
      return make_error(DbError::corrupt, fmt::format("prepared card of {} unreadable", id));
    PreparedRecord r;
    r.pan = text(card, "pan");
    r.name = holder->second.name;
    r.id_number = holder->second.id_number;
    r.data = *plain;
    auto sealed = seal_prepared(sealer, id, r);
    if (!sealed) return sealed.error();
    auto pan_hash = sealer.keyed_hash(kHashPan, r.pan);
    if (!pan_hash) return pan_hash.error();
    insert->bind(1, id).bind(2, q->column_text(1)).bind(3, q->column_text(2)).bind(4, *pan_hash);
    insert->bind(5, issue->to_iso()).bind(6, expiry->to_iso()).bind(7, holder->second.bank);
    insert->bind_blob(8, *sealed).bind(9, q->column_text(4));
    if (auto s = insert->run(); !s) return s;
  }
  return {};
}

}  // namespace

Status seal_legacy_rows(sqlite3* db, Sealer* sealer) {
  auto ids = valid_ids(db);
  if (!ids) return ids.error();
  if (ids->empty()) return {};
  if (sealer == nullptr)
    return make_error(DbError::no_sealer,
                      "this database holds personal data in the clear (from an older cardd): "
                      "open it once with the HSM's storage keys to seal it, e.g. cardctl keys "
                      "init-storage --db PATH");
  std::map<std::string, Holder> holders;
  for (const std::string& id : *ids) {
    auto holder = seal_application(db, *sealer, id);
    if (!holder) return holder.error();
    holders.emplace(id, std::move(*holder));
  }
  // Rejected applications kept nothing personal; clear what schema 2 left.
  if (auto s = sqlite::exec(db,
                            "UPDATE applications SET id_number = NULL, mobile = NULL, "
                            "recipient_mobile = NULL WHERE errors IS NOT NULL");
      !s)
    return s;
  return reseal_prepared(db, *sealer, holders);
}

}  // namespace cardd::db
