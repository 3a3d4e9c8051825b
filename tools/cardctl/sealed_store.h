// The database opened with the HSM's sealer, for commands that store or read
// personal data (import, pull, encode, render, print, keys init-storage).
#pragma once

#include <memory>
#include <string>

#include "cardd/db/store.h"
#include "cardd/hsm/hsm.h"
#include "cardd/server/hsm_sealer.h"
#include "hsm_options.h"

namespace cardd::cardctl {

struct SealedStore {
  std::unique_ptr<hsm::Hsm> hsm;
  std::unique_ptr<server::HsmSealer> sealer;
  std::unique_ptr<db::Store> store;  // declared last: closed first
};

// Opens the HSM, its sealer (the storage keys must exist) and the store.
// Prints the reason and returns 1 (2 for a missing database) when it cannot;
// 0 when all three are open.
int open_sealed_store(const HsmOptions& hsm_options, const std::string& db_path, bool create,
                      SealedStore& out);

}  // namespace cardd::cardctl
