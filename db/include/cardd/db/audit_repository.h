// The hash-chained audit log and the integrity checks of the database.
//
// Every entry carries the hash of the one before, so an entry changed or
// removed afterwards breaks the chain at that point. Entries never contain
// personal data.
//
// Thread safety: as ApplicationRepository.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/error.h"

namespace cardd::db {

struct AuditReport {
  std::int64_t entries = 0;
  bool intact = true;
  std::int64_t first_broken_seq = 0;  // 0 when intact
};

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;

  // Appends one entry to the audit log (its own transaction).
  virtual Status audit(std::string_view actor, std::string_view action, std::string_view subject,
                       std::string_view detail) = 0;
  // Recomputes the hash chain from the first entry.
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
