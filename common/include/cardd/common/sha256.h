// SHA-256 (OpenSSL 3) for content identity and the audit hash chain.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace cardd {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);
std::string to_hex(std::string_view bytes);
inline std::string to_hex(const Sha256Digest& d) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

}  // namespace cardd
