// Migration 3's data step: what schema 2 kept in the clear (ID numbers and
// phones behind a zero scheme byte, names and addresses in public_data,
// images behind a zero byte) is sealed bound to its row, and prepared cards
// sealed without associated data are sealed again bound to theirs.
#pragma once

#include <sqlite3.h>

#include "cardd/common/result.h"
#include "cardd/db/sealer.h"

namespace cardd::db {

// Inside the migration's transaction. no_sealer when there is personal data
// to seal and no sealer.
Status seal_legacy_rows(sqlite3* db, Sealer* sealer);

}  // namespace cardd::db
