#include "cardd/common/sha256.h"

#include <openssl/evp.h>

#include <memory>

namespace cardd {
namespace {

struct MdFree {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};

// Fetched once: OpenSSL 3 looks an algorithm up in its provider tables on
// every one-shot SHA256() call, which costs more than hashing a token.
const EVP_MD* sha256_md() {
  static const std::unique_ptr<EVP_MD, MdFree> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  return md.get();
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &size, sha256_md(), nullptr);
  return out;
}

}  // namespace cardd
