#include "audit.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string>

namespace cardd::db {

std::string_view to_string(AuditFault fault) {
  switch (fault) {
    case AuditFault::none:
      return "none";
    case AuditFault::edited:
      return "edited";
    case AuditFault::missing:
      return "missing";
    case AuditFault::removed:
      return "removed";
    case AuditFault::head_invalid:
      return "head_invalid";
    case AuditFault::head_missing:
      return "head_missing";
    case AuditFault::not_anchored:
      return "not_anchored";
    case AuditFault::unknown_key:
      return "unknown_key";
  }
  return "?";
}

std::string length_prefixed(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) {
    const auto n = static_cast<std::uint32_t>(part.size());
    for (const int shift : {24, 16, 8, 0}) out += static_cast<char>((n >> shift) & 0xFF);
    out.append(part);
  }
  return out;
}

bool same_mac(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string audit_entry_message(std::string_view prev_mac, std::int64_t seq, const AuditEntry& e,
                                std::uint32_t key_version) {
  const std::string seq_text = std::to_string(seq);
  const std::string version_text = std::to_string(key_version);
  return length_prefixed(
      {prev_mac, seq_text, e.at, e.actor, e.action, e.subject, e.detail, version_text});
}

std::string audit_head_message(std::int64_t seq, std::string_view last_mac) {
  const std::string seq_text = std::to_string(seq);
  return length_prefixed({"head", seq_text, last_mac});
}

namespace {

Error no_signer() {
  return make_error(DbError::no_audit_signer,
                    "audit entries are MACed with the HSM's audit key, and none was given "
                    "(create it with `cardctl keys init-storage`; give the HSM options)");
}

}  // namespace

Result<AuditWriter> AuditWriter::create(sqlite3* db, AuditSigner* signer) {
  AuditWriter w;
  w.signer_ = signer;
  const struct {
    sqlite::Statement* target;
    const char* sql;
  } items[] = {
      {&w.head_, "SELECT seq, mac FROM audit_head WHERE id = 1"},
      {&w.any_entry_, "SELECT 1 FROM audit_log LIMIT 1"},
      {&w.insert_,
       "INSERT INTO audit_log(seq, at, actor, action, subject, detail, key_version, mac) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&w.upsert_head_,
       "INSERT INTO audit_head(id, seq, mac, key_version, head_mac) VALUES (1, ?1, ?2, ?3, ?4) "
       "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, "
       "key_version = excluded.key_version, head_mac = excluded.head_mac"},
  };
  for (const auto& item : items) {
    auto stmt = sqlite::Statement::prepare(db, item.sql);
    if (!stmt) return stmt.error();
    *item.target = std::move(*stmt);
  }
  return w;
}

Status AuditWriter::begin() {
  // Appended earlier in this transaction: the head row is not rewritten
  // until finish(), so what is in memory is the head.
  if (dirty_) return {};
  auto row = head_.step();
  if (!row) return row.error();
  if (*row) {
    last_seq_ = head_.column_int(0);
    last_mac_ = std::string(head_.column_text(1));
    head_.reset();
    return {};
  }
  head_.reset();
  auto any = any_entry_.step();
  any_entry_.reset();
  if (!any) return any.error();
  if (*any)
    return make_error(DbError::corrupt,
                      "the audit log has entries but no anchored head (removed?); nothing is "
                      "appended until it is examined: cardctl audit verify");
  last_seq_ = 0;
  last_mac_.clear();
  return {};
}

Status AuditWriter::append(const AuditEntry& e) {
  if (signer_ == nullptr) return no_signer();
  const std::int64_t seq = last_seq_ + 1;
  const std::uint32_t version = signer_->key_version();
  auto mac = signer_->mac(version, audit_entry_message(last_mac_, seq, e, version));
  if (!mac) return mac.error();
  insert_.bind(1, seq).bind(2, e.at).bind(3, e.actor).bind(4, e.action).bind(5, e.subject);
  insert_.bind(6, e.detail).bind(7, static_cast<std::int64_t>(version)).bind(8, *mac);
  if (auto s = insert_.run(); !s) return s;
  last_seq_ = seq;
  last_mac_ = std::move(*mac);
  dirty_ = true;
  return {};
}

Status AuditWriter::finish() {
  if (!dirty_) return {};
  const std::uint32_t version = signer_->key_version();
  auto head_mac = signer_->mac(version, audit_head_message(last_seq_, last_mac_));
  if (!head_mac) return head_mac.error();
  upsert_head_.bind(1, last_seq_).bind(2, last_mac_).bind(3, static_cast<std::int64_t>(version));
  upsert_head_.bind(4, *head_mac);
  if (auto s = upsert_head_.run(); !s) return s;
  dirty_ = false;
  // Logged so the head can be compared with the file later (a restored
  // older copy of the file is consistent with itself).
  spdlog::info("db: audit head seq={} mac={}", last_seq_, last_mac_);
  return {};
}

namespace {

struct Head {
  std::int64_t seq = 0;
  std::string mac;
  std::uint32_t key_version = 0;
  std::string head_mac;
};

Result<std::optional<Head>> read_head(sqlite3* db) {
  auto q = sqlite::Statement::prepare(
      db, "SELECT seq, mac, key_version, head_mac FROM audit_head WHERE id = 1");
  if (!q) return q.error();
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Head>();
  return std::optional<Head>(Head{q->column_int(0), std::string(q->column_text(1)),
                                  static_cast<std::uint32_t>(q->column_int(2)),
                                  std::string(q->column_text(3))});
}

AuditReport broken(AuditReport r, std::int64_t seq, AuditFault fault, std::string why) {
  r.intact = false;
  r.first_broken_seq = seq;
  r.fault = fault;
  r.why = std::move(why);
  return r;
}

// The signer's MAC of `message` equals `mac`; nullopt for an unknown key version.
Result<std::optional<bool>> mac_matches(AuditSigner& signer, std::uint32_t version,
                                        std::string_view message, std::string_view mac) {
  auto expected = signer.mac(version, message);
  if (!expected) {
    if (expected.error().code == DbError::unknown_audit_key) return std::optional<bool>();
    return expected.error();
  }
  return std::optional<bool>(same_mac(*expected, mac));
}

}  // namespace

Result<AuditReport> verify_audit_chain(sqlite3* db, AuditSigner* signer) {
  if (signer == nullptr) return no_signer();
  auto snapshot = sqlite::Transaction::begin_read(db);
  if (!snapshot) return snapshot.error();
  auto head = read_head(db);
  if (!head) return head.error();
  AuditReport report;
  if (*head) {
    report.head_seq = (*head)->seq;
    report.head_mac = (*head)->mac;
  }
  auto all = sqlite::Statement::prepare(
      db,
      "SELECT seq, at, actor, action, subject, detail, key_version, mac FROM audit_log "
      "ORDER BY seq");
  if (!all) return all.error();
  std::string prev;
  std::int64_t expected_seq = 1;
  while (true) {
    auto row = all->step();
    if (!row) return row.error();
    if (!*row) break;
    const std::int64_t seq = all->column_int(0);
    if (seq != expected_seq)
      return broken(report, expected_seq, AuditFault::missing,
                    seq == expected_seq + 1
                        ? fmt::format("entry {} missing", expected_seq)
                        : fmt::format("entries {} to {} missing", expected_seq, seq - 1));
    ++report.entries;
    const AuditEntry e{all->column_text(1), all->column_text(2), all->column_text(3),
                       all->column_text(4), all->column_text(5)};
    const auto version = static_cast<std::uint32_t>(all->column_int(6));
    auto ok = mac_matches(*signer, version, audit_entry_message(prev, seq, e, version),
                          all->column_text(7));
    if (!ok) return ok.error();
    if (!*ok)
      return broken(report, seq, AuditFault::unknown_key,
                    fmt::format("entry {} names audit key version {}, which the HSM does not hold",
                                seq, version));
    if (!**ok)
      return broken(report, seq, AuditFault::edited, fmt::format("entry {} was edited", seq));
    prev = std::string(all->column_text(7));
    ++expected_seq;
  }
  const std::int64_t last = expected_seq - 1;
  if (!*head) {
    if (last == 0) return report;  // an empty log
    return broken(report, last, AuditFault::head_missing,
                  fmt::format("the anchored head is missing (the log ends at entry {})", last));
  }
  const Head& h = **head;
  auto head_ok = mac_matches(*signer, h.key_version, audit_head_message(h.seq, h.mac), h.head_mac);
  if (!head_ok) return head_ok.error();
  if (!*head_ok || !**head_ok)
    return broken(report, std::min(h.seq, last + 1), AuditFault::head_invalid,
                  fmt::format("the anchored head (entry {}) does not verify: it was edited "
                              "without the audit key",
                              h.seq));
  if (last < h.seq)
    return broken(report, last + 1, AuditFault::removed,
                  fmt::format("entries after {} were removed (head says {})", last, h.seq));
  if (last > h.seq)
    return broken(
        report, h.seq + 1, AuditFault::not_anchored,
        fmt::format("entries after {} are not anchored (head says {}, the log ends at {})", h.seq,
                    h.seq, last));
  if (!same_mac(prev, h.mac))
    return broken(report, last, AuditFault::not_anchored,
                  fmt::format("entry {} is not the one the head anchors", last));
  return report;
}

}  // namespace cardd::db
