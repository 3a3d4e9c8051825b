// Migration 11's data step: every sealed application gets the keyed hash of
// its ID number's last digits (personal_codec.h), which a branch searches by.
#pragma once

#include <sqlite3.h>

#include "cardd/common/result.h"
#include "cardd/db/sealer.h"

namespace cardd::db {

// Inside the migration's transaction. no_sealer when there is personal data
// to open and no sealer.
Status hash_id_tails(sqlite3* db, Sealer* sealer);

}  // namespace cardd::db
