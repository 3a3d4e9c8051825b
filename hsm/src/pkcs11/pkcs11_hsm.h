// The PKCS#11 backend: any token reachable through a PKCS#11 module.
#pragma once

#include <memory>

#include "cardd/common/result.h"
#include "cardd/hsm/factory.h"
#include "cardd/hsm/hsm.h"

namespace cardd::hsm {

// The PIN is read (from the configured file or variable) at start and each
// time the token comes back after it was gone.
Result<std::unique_ptr<Hsm>> open_pkcs11_hsm(const Pkcs11Config& config);

}  // namespace cardd::hsm
