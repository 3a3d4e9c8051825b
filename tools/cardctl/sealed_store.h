// The database opened with the HSM's keys: the audit key for every command
// that writes or verifies the audit log, and the sealer too for commands
// that store or read personal data (import, pull, encode, render, print,
// keys init-storage).
#pragma once

#include <memory>
#include <string>

#include "cardd/server/sealed_store.h"
#include "hsm_options.h"

namespace cardd::cardctl {

// Shared with the daemon (cardd/server/sealed_store.h); the sealer is null
// for open_audited_store.
using SealedStore = server::SealedStore;

// Opens the HSM, its sealer and audit signer (the storage keys and the audit
// key must exist) and the store. Prints the reason and returns 1 (2 for a
// missing database) when it cannot; 0 when all are open.
int open_sealed_store(const HsmOptions& hsm_options, const std::string& db_path, bool create,
                      SealedStore& out);
// As open_sealed_store, without the sealer: for commands that write or check
// the audit log but touch no personal data (stock, keys, report, audit).
int open_audited_store(const HsmOptions& hsm_options, const std::string& db_path, bool create,
                       SealedStore& out);
// The part after the HSM is open: `out.hsm` is set; opens the signer (and
// the sealer when `with_sealer`) and the store.
int open_store_with_keys(const std::string& db_path, bool create, bool with_sealer,
                         SealedStore& out);

}  // namespace cardd::cardctl
