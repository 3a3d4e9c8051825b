// Versioned schema migrations, applied in order on open. The schema version
// is PRAGMA user_version; each step runs in its own transaction.
#pragma once

#include <sqlite3.h>

#include "cardd/common/result.h"

namespace cardd::db {

// The version a fully migrated database has.
int latest_schema_version();

// Brings the database to latest_schema_version(). A database from a newer
// cardd (higher version) is refused rather than guessed at.
Status migrate(sqlite3* db);

}  // namespace cardd::db
