// The soft backend: OpenSSL 3, keys in a keystore file wrapped under a master
// key derived from a passphrase.
#pragma once

#include <memory>
#include <string>

#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"

namespace cardd::hsm {

Result<std::unique_ptr<Hsm>> open_soft_hsm(const std::string& keystore_path,
                                           SecureBytes passphrase);

}  // namespace cardd::hsm
