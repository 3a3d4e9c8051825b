// Versioned schema migrations, applied in order on open. The schema version
// is PRAGMA user_version; the check and every step run in one exclusive
// transaction.
#pragma once

#include <sqlite3.h>

#include "cardd/common/result.h"
#include "cardd/db/audit_signer.h"
#include "cardd/db/sealer.h"

namespace cardd::db {

// The version a fully migrated database has.
int latest_schema_version();

// What data steps may need; either may be null.
struct MigrationKeys {
  Sealer* sealer = nullptr;
  AuditSigner* signer = nullptr;
};

// Brings the database to latest_schema_version(). A database from a newer
// cardd (higher version) is refused rather than guessed at. `keys.sealer`
// seals personal data an older version kept in the clear; without one such a
// database is refused (no_sealer). `keys.signer` MACs an older version's
// SHA-256 audit chain; without one such a database is refused
// (no_audit_signer). Either refusal leaves the file as it was.
Status migrate(sqlite3* db, const MigrationKeys& keys);

}  // namespace cardd::db
