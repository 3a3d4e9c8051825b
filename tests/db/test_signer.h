// An audit signer for store tests without an HSM: HMAC-SHA-256 under a fixed
// test key per version. Real MACs, so an entry edited in the file fails.
#pragma once

#include <openssl/hmac.h>

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "cardd/db/audit_signer.h"
#include "cardd/db/error.h"

namespace cardd::db::test {

class TestAuditSigner final : public AuditSigner {
 public:
  std::uint32_t key_version() const override { return version; }

  Result<std::string> mac(std::uint32_t key_version, std::string_view message) override {
    ++macs;
    if (key_version == 0 || key_version > version)
      return make_error(DbError::unknown_audit_key, "test signer: no such version");
    const std::string key = fmt::format("test audit key v{}", key_version);
    unsigned char out[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", out[i]);
    return hex;
  }

  std::uint32_t version = 1;  // a test "rotates" by raising it
  int macs = 0;
};

}  // namespace cardd::db::test
