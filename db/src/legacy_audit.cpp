#include "legacy_audit.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "audit.h"
#include "cardd/common/actor.h"
#include "cardd/common/civil_time.h"
#include "cardd/common/hex.h"
#include "cardd/common/sha256.h"
#include "cardd/db/error.h"
#include "sqlite.h"

namespace cardd::db {
namespace {

// Schema 3's chain: SHA-256 over the fields, each followed by \x1f.
std::string legacy_hash(std::string_view prev_hash, std::int64_t seq, const AuditEntry& e) {
  const std::string seq_text = std::to_string(seq);
  std::string material;
  for (const std::string_view part :
       {prev_hash, std::string_view(seq_text), e.at, e.actor, e.action, e.subject, e.detail}) {
    material.append(part);
    material += '\x1f';
  }
  return to_hex(sha256(material));
}

struct Row {
  std::int64_t seq;
  std::string at, actor, action, subject, detail, prev_hash, hash;
  AuditEntry entry() const { return {at, actor, action, subject, detail}; }
};

Result<std::vector<Row>> legacy_rows(sqlite3* db) {
  auto q = sqlite::Statement::prepare(db,
                                      "SELECT seq, at, actor, action, subject, detail, prev_hash, "
                                      "hash FROM audit_log ORDER BY seq");
  if (!q) return q.error();
  std::vector<Row> rows;
  while (true) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    rows.push_back({q->column_int(0), std::string(q->column_text(1)),
                    std::string(q->column_text(2)), std::string(q->column_text(3)),
                    std::string(q->column_text(4)), std::string(q->column_text(5)),
                    std::string(q->column_text(6)), std::string(q->column_text(7))});
  }
  return rows;
}

// "intact", or where the old chain was already broken (recorded, not hidden).
std::string legacy_chain_state(const std::vector<Row>& rows) {
  std::string prev(64, '0');
  std::int64_t expected = 1;
  for (const Row& r : rows) {
    const std::string hash = legacy_hash(prev, r.seq, r.entry());
    if (r.seq != expected || r.prev_hash != prev || hash != r.hash)
      return fmt::format("broken at entry {}", r.seq);
    prev = hash;
    ++expected;
  }
  return "intact";
}

}  // namespace

Status mac_legacy_audit_log(sqlite3* db, AuditSigner* signer) {
  auto rows = legacy_rows(db);
  if (!rows) return rows.error();
  if (rows->empty()) return {};
  if (signer == nullptr)
    return make_error(DbError::no_audit_signer,
                      "this database's audit log is a SHA-256 chain (from an older cardd): open "
                      "it once with the HSM's audit key to MAC it, e.g. cardctl keys "
                      "init-storage --db PATH");
  const std::uint32_t version = signer->key_version();
  auto update = sqlite::Statement::prepare(
      db, "UPDATE audit_log SET key_version = ?2, mac = ?3 WHERE seq = ?1");
  if (!update) return update.error();
  // Entries are MACed in their stored order; a gap in seq stays a gap and
  // verification reports it.
  std::string prev;
  std::int64_t last_seq = 0;
  for (const Row& r : *rows) {
    auto mac = signer->mac(version, audit_entry_message(prev, r.seq, r.entry(), version));
    if (!mac) return mac.error();
    update->bind(1, r.seq).bind(2, static_cast<std::int64_t>(version)).bind(3, *mac);
    if (auto s = update->run(); !s) return s;
    prev = std::move(*mac);
    last_seq = r.seq;
  }
  const std::string at = format_rfc3339_utc(unix_now());
  const std::string actor = local_actor("cardd schema migration");
  const std::string detail = fmt::format(
      "entries 1..{} were chained by SHA-256 until now (that chain {}) and MACed under audit "
      "key version {} at migration",
      last_seq, legacy_chain_state(*rows), version);
  const std::int64_t seq = last_seq + 1;
  const AuditEntry note{at, actor, "audit.migrated", "audit_log", detail};
  auto mac = signer->mac(version, audit_entry_message(prev, seq, note, version));
  if (!mac) return mac.error();
  auto insert = sqlite::Statement::prepare(
      db,
      "INSERT INTO audit_log(seq, at, actor, action, subject, detail, prev_hash, hash, "
      "key_version, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', '', ?7, ?8)");
  if (!insert) return insert.error();
  insert->bind(1, seq).bind(2, at).bind(3, actor).bind(4, note.action).bind(5, note.subject);
  insert->bind(6, detail).bind(7, static_cast<std::int64_t>(version)).bind(8, *mac);
  if (auto s = insert->run(); !s) return s;
  auto head_mac = signer->mac(version, audit_head_message(seq, *mac));
  if (!head_mac) return head_mac.error();
  auto head = sqlite::Statement::prepare(
      db, "INSERT INTO audit_head(id, seq, mac, key_version, head_mac) VALUES (1, ?1, ?2, ?3, ?4)");
  if (!head) return head.error();
  head->bind(1, seq).bind(2, *mac).bind(3, static_cast<std::int64_t>(version)).bind(4, *head_mac);
  return head->run();
}

}  // namespace cardd::db
