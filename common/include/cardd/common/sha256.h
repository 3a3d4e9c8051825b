// SHA-256 (OpenSSL 3) for content identity and the audit hash chain.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "cardd/common/hex.h"  // to_hex(digest): lower-case hex, as stored

namespace cardd {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);

}  // namespace cardd
