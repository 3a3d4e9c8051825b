#include "cardd/hsm/secure_bytes.h"

#include <openssl/crypto.h>

namespace cardd::hsm {

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

void SecureBytes::wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

bool SecureBytes::equals(std::span<const std::uint8_t> other) const {
  if (other.size() != bytes_.size()) return false;
  return CRYPTO_memcmp(bytes_.data(), other.data(), bytes_.size()) == 0;
}

}  // namespace cardd::hsm
