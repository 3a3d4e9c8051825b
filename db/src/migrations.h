// Versioned schema migrations, applied in order on open. The schema version
// is PRAGMA user_version; the check and every step run in one exclusive
// transaction.
#pragma once

#include <sqlite3.h>

#include "cardd/common/result.h"
#include "cardd/db/sealer.h"

namespace cardd::db {

// The version a fully migrated database has.
int latest_schema_version();

// Brings the database to latest_schema_version(). A database from a newer
// cardd (higher version) is refused rather than guessed at. `sealer` (may be
// null) seals personal data an older version kept in the clear; without one
// such a database is refused (no_sealer).
Status migrate(sqlite3* db, Sealer* sealer);

}  // namespace cardd::db
