// The MACed audit log and the integrity checks of the database.
//
// Every entry is MACed (db/audit_signer.h, a key in the HSM) over its own
// fields, its key version and the MAC of the entry before, so an entry
// changed or removed afterwards breaks the chain at that point. The chain's
// head (last sequence number and MAC) is kept in a row of its own, MACed too
// and rewritten in the transaction of every append, so entries cut off the
// end are detected. Entries never contain personal data.
//
// Not detected: the whole file replaced by an older copy (an older chain with
// its older head is consistent); compare with the head the log reports
// (db: audit head ... at info level) or an exported one.
//
// Thread safety: as ApplicationRepository.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/error.h"

namespace cardd::db {

// What verification found first.
enum class AuditFault {
  none,
  edited,        // an entry whose MAC does not match its fields and chain
  missing,       // a gap in the sequence numbers
  removed,       // the log ends before the anchored head: entries cut off the end
  head_invalid,  // the anchored head's own MAC does not verify
  head_missing,  // entries, and no anchored head
  not_anchored,  // entries after the anchored head, or the last one differs from it
  unknown_key,   // an entry MACed under a key version the HSM does not hold
};
std::string_view to_string(AuditFault fault);

struct AuditReport {
  std::int64_t entries = 0;  // entries checked (up to the first broken one)
  bool intact = true;
  std::int64_t first_broken_seq = 0;  // 0 when intact
  AuditFault fault = AuditFault::none;
  std::string why;            // e.g. "entry 17 was edited"; empty when intact
  std::int64_t head_seq = 0;  // the anchored head (0: none)
  std::string head_mac;       // the anchored head's MAC of the last entry
};

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;

  // Appends one entry to the audit log (its own transaction). `actor` names
  // a person or process: local_actor() in common/actor.h. Errors:
  // no_audit_signer without an audit key, the signer's.
  virtual Status audit(std::string_view actor, std::string_view action, std::string_view subject,
                       std::string_view detail) = 0;
  // Checks every entry's MAC, the sequence, and the end of the log against
  // the anchored head. A broken log is a report (intact = false), not an
  // error; errors are for failing to check (no_audit_signer, the HSM's, io).
  virtual Result<AuditReport> verify_audit_chain() = 0;
  // The database's own consistency check: "ok", or what it found wrong
  // (PRAGMA quick_check for SQLite).
  virtual Result<std::string> quick_check() = 0;

 protected:
  AuditRepository() = default;
  AuditRepository(const AuditRepository&) = default;
  AuditRepository& operator=(const AuditRepository&) = default;
};

}  // namespace cardd::db
