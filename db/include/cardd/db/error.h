// Errors of the db module, as a std::error_code category ("db").
#pragma once

#include <system_error>

namespace cardd::db {

enum class DbError {
  open_failed = 1,     // file cannot be opened or is not a database
  migration_failed,    // schema could not be brought up to date
  busy,                // another writer held the lock for too long
  io,                  // disk full, read-only, I/O error
  corrupt,             // database or audit chain damaged
  not_found,           // no such application
  illegal_transition,  // the state machine refuses the change
  conflict,            // same id, different content
  internal,            // anything else SQLite reports
  not_in_stock,        // a chip that is in no loaded blank-card lot
  card_used,           // a chip that was already used (encoded or spoiled)
  exhausted,           // a number range has nothing left
  no_database,         // the file does not exist (and was not to be created)
  no_sealer,           // personal data to store or read, and no sealer to do it
  unsealable,          // a sealed value that does not open (altered, other row or keys)
  no_audit_signer,     // an audit entry to write or verify, and no audit key to MAC it
  unknown_audit_key,   // an audit MAC under a key version the signer does not hold
  claim_held,          // an encoding claim whose holder is alive
  claim_lost,          // a session's claim was taken over (or its card finished)
};

const std::error_category& db_category();
inline std::error_code make_error_code(DbError e) { return {static_cast<int>(e), db_category()}; }

}  // namespace cardd::db

template <>
struct std::is_error_code_enum<cardd::db::DbError> : std::true_type {};
