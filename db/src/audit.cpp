#include "audit.h"

#include <string>

#include "cardd/common/sha256.h"

namespace cardd::db {
namespace {
// The hash of "no previous entry".
const std::string kGenesis(64, '0');
}  // namespace

std::string audit_hash(std::string_view prev_hash, std::int64_t seq, const AuditEntry& e) {
  // Unit separators keep field boundaries unambiguous.
  const std::string seq_text = std::to_string(seq);
  std::string material;
  material.reserve(160 + e.detail.size());
  for (const std::string_view part :
       {prev_hash, std::string_view(seq_text), e.at, e.actor, e.action, e.subject, e.detail}) {
    material.append(part);
    material += '\x1f';
  }
  return to_hex(sha256(material));
}

Result<AuditWriter> AuditWriter::create(sqlite3* db) {
  AuditWriter w;
  auto head =
      sqlite::Statement::prepare(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!head) return head.error();
  auto insert = sqlite::Statement::prepare(
      db,
      "INSERT INTO audit_log(seq, at, actor, action, subject, detail, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert) return insert.error();
  w.head_ = std::move(*head);
  w.insert_ = std::move(*insert);
  return w;
}

Status AuditWriter::begin() {
  auto row = head_.step();
  if (!row) return row.error();
  if (*row) {
    last_seq_ = head_.column_int(0);
    last_hash_ = std::string(head_.column_text(1));
  } else {
    last_seq_ = 0;
    last_hash_ = kGenesis;
  }
  head_.reset();
  return {};
}

Status AuditWriter::append(const AuditEntry& e) {
  const std::int64_t seq = last_seq_ + 1;
  std::string hash = audit_hash(last_hash_, seq, e);
  insert_.bind(1, seq).bind(2, e.at).bind(3, e.actor).bind(4, e.action).bind(5, e.subject);
  insert_.bind(6, e.detail).bind(7, last_hash_).bind(8, hash);
  if (auto s = insert_.run(); !s) return s;
  last_seq_ = seq;
  last_hash_ = std::move(hash);
  return {};
}

Result<AuditReport> verify_audit_chain(sqlite3* db) {
  auto all = sqlite::Statement::prepare(db,
                                        "SELECT seq, at, actor, action, subject, detail, "
                                        "prev_hash, hash FROM audit_log ORDER BY seq");
  if (!all) return all.error();
  AuditReport report;
  std::string prev = kGenesis;
  std::int64_t expected_seq = 1;
  while (true) {
    auto row = all->step();
    if (!row) return row.error();
    if (!*row) break;
    ++report.entries;
    const std::int64_t seq = all->column_int(0);
    const AuditEntry e{all->column_text(1), all->column_text(2), all->column_text(3),
                       all->column_text(4), all->column_text(5)};
    const bool linked = seq == expected_seq && all->column_text(6) == prev;
    std::string hash = audit_hash(prev, seq, e);
    if (!linked || hash != all->column_text(7)) {
      report.intact = false;
      report.first_broken_seq = seq;
      break;
    }
    prev = std::move(hash);
    ++expected_seq;
  }
  return report;
}

}  // namespace cardd::db
