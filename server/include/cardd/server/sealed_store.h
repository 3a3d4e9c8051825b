// The database opened with the HSM's keys, as cardctl and cardd both need
// it: the audit key for every change, the storage keys (the sealer) for
// personal data. The keys must exist (`cardctl keys init-storage`).
#pragma once

#include <memory>
#include <string>

#include "cardd/common/result.h"
#include "cardd/db/store.h"
#include "cardd/hsm/hsm.h"
#include "cardd/server/hsm_audit_signer.h"
#include "cardd/server/hsm_sealer.h"

namespace cardd::server {

// Members are destroyed bottom-up: the store before the keys it uses, the
// keys before their HSM.
struct SealedStore {
  std::unique_ptr<hsm::Hsm> hsm;
  std::unique_ptr<HsmSealer> sealer;  // null when opened without the sealer
  std::unique_ptr<HsmAuditSigner> signer;
  std::unique_ptr<db::Store> store;
};

// `out.hsm` is open: opens the audit signer, the sealer when `with_sealer`,
// then the store at `db_path` (created when missing and `create`). Errors:
// the HSM's (key_not_found when the keys were never made) and the store's
// (no_database when the file is missing and not `create`).
Status open_keyed_store(const std::string& db_path, bool create, bool with_sealer,
                        SealedStore& out);

}  // namespace cardd::server
