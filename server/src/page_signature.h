// Checks the bureau's signature on a page: header X-Bureau-Signature carries
// base64(Ed25519 signature over the exact body bytes), verified with the
// bureau's public key (PEM, SubjectPublicKeyInfo) before anything is parsed
// or stored.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "cardd/common/result.h"

namespace cardd::server {

inline constexpr std::string_view kSignatureHeader = "X-Bureau-Signature";

class PageVerifier {
 public:
  // Errors: BureauError::invalid_config (unreadable, not PEM, not Ed25519).
  static Result<PageVerifier> load(const std::string& public_key_file);

  // Errors: BureauError::bad_signature (missing, not base64, does not verify).
  Status verify(std::string_view body, std::string_view signature_base64) const;

 private:
  struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  };
  explicit PageVerifier(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;  // immutable once loaded: shared by copies and threads
};

}  // namespace cardd::server
