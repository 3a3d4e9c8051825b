// Migration 4's data step: the audit log of schema 3 was a SHA-256 chain
// (fields joined by \x1f, anyone who could write the file could recompute
// it). Its entries are MACed as they stand under the HSM's audit key, one
// entry "audit.migrated" records that (and whether the SHA-256 chain was
// intact until then), and the head is anchored.
#pragma once

#include <sqlite3.h>

#include "cardd/common/result.h"
#include "cardd/db/audit_signer.h"

namespace cardd::db {

// Inside the migration's transaction, between adding the key_version and mac
// columns and dropping prev_hash and hash. no_audit_signer when there are
// entries and no signer: nothing is half migrated.
Status mac_legacy_audit_log(sqlite3* db, AuditSigner* signer);

}  // namespace cardd::db
