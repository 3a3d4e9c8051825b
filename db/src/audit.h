// The audit log as a MAC chain (contract in cardd/db/audit_repository.h).
// Each entry's MAC covers, length-prefixed (u32 big-endian length, then the
// bytes): the previous entry's MAC ("" for the first), seq, at, actor,
// action, subject, detail and the key version, numbers in decimal. The head
// row's MAC covers "head", seq and the last entry's MAC the same way. Length
// prefixes make the encoding unambiguous whatever the fields contain.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/audit_repository.h"
#include "cardd/db/audit_signer.h"
#include "sqlite.h"

namespace cardd::db {

struct AuditEntry {
  std::string_view at;
  std::string_view actor;
  std::string_view action;
  std::string_view subject;
  std::string_view detail;
};

// The bytes an entry's MAC covers, and the head's.
std::string audit_entry_message(std::string_view prev_mac, std::int64_t seq, const AuditEntry& e,
                                std::uint32_t key_version);
std::string audit_head_message(std::int64_t seq, std::string_view last_mac);

class AuditWriter {
 public:
  // `signer` may be null: then append() fails with no_audit_signer.
  static Result<AuditWriter> create(sqlite3* db, AuditSigner* signer);

  // Inside a write transaction: reads the anchored head, which append()
  // continues from (never from the last row, so appending after a cut leaves
  // the gap visible instead of re-anchoring it). corrupt when entries exist
  // without a head. Called again in the same transaction after an append, it
  // keeps what was appended.
  Status begin();
  Status append(const AuditEntry& entry);
  // Before the transaction commits: rewrites the anchored head when entries
  // were appended since begin() (one MAC per transaction, not per entry).
  Status finish();
  // At the start of every write transaction: nothing appended is pending.
  void forget() { dirty_ = false; }

 private:
  AuditSigner* signer_ = nullptr;
  sqlite::Statement head_;
  sqlite::Statement any_entry_;
  sqlite::Statement insert_;
  sqlite::Statement upsert_head_;
  std::int64_t last_seq_ = 0;
  std::string last_mac_;
  bool dirty_ = false;
};

// Length-prefixed concatenation: u32 big-endian length, then the bytes, per part.
std::string length_prefixed(std::initializer_list<std::string_view> parts);
// Hex MACs compared in constant time.
bool same_mac(std::string_view a, std::string_view b);

// Checks the whole chain in one read snapshot. no_audit_signer when null.
Result<AuditReport> verify_audit_chain(sqlite3* db, AuditSigner* signer);

}  // namespace cardd::db
