// The audit log is a hash chain: each entry's hash covers its own fields and
// the previous entry's hash, so an edited or deleted row breaks the chain.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/store.h"
#include "sqlite.h"

namespace cardd::db {

struct AuditEntry {
  std::string_view at;
  std::string_view actor;
  std::string_view action;
  std::string_view subject;
  std::string_view detail;
};

class AuditWriter {
 public:
  static Result<AuditWriter> create(sqlite3* db);

  // Must be called inside a write transaction, which it reads the chain's
  // head in; append() continues from there.
  Status begin();
  Status append(const AuditEntry& entry);

 private:
  sqlite::Statement head_;
  sqlite::Statement insert_;
  std::int64_t last_seq_ = 0;
  std::string last_hash_;
};

std::string audit_hash(std::string_view prev_hash, std::int64_t seq, const AuditEntry& e);
Result<AuditReport> verify_audit_chain(sqlite3* db);

}  // namespace cardd::db
