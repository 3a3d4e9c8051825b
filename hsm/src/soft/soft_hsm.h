// The soft backend: OpenSSL 3, keys in a keystore file wrapped under a master
// key derived from a passphrase. For development and tests: production keys
// belong in a PKCS#11 HSM.
#pragma once

#include <memory>
#include <string>

#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"

namespace cardd::hsm {

// `create`: make an empty keystore when none is at the path (Keystore::open).
Result<std::unique_ptr<Hsm>> open_soft_hsm(const std::string& keystore_path, SecureBytes passphrase,
                                           bool create);

}  // namespace cardd::hsm
