#include "page_signature.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>

#include "cardd/common/base64.h"
#include "cardd/server/bureau_client.h"

namespace cardd::server {
namespace {

struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Result<PageVerifier> PageVerifier::load(const std::string& public_key_file) {
  std::unique_ptr<std::FILE, FileClose> file(std::fopen(public_key_file.c_str(), "rb"));
  if (!file)
    return make_error(BureauError::invalid_config,
                      fmt::format("the bureau signing key {} cannot be read", public_key_file));
  std::shared_ptr<EVP_PKEY> key(PEM_read_PUBKEY(file.get(), nullptr, nullptr, nullptr), KeyFree{});
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    ERR_clear_error();  // the queue is per thread; leave it clean for the next caller
    return make_error(BureauError::invalid_config,
                      fmt::format("the bureau signing key {} is not an Ed25519 public key (PEM)",
                                  public_key_file));
  }
  return PageVerifier(std::move(key));
}

Status PageVerifier::verify(std::string_view body, std::string_view signature_base64) const {
  if (signature_base64.empty())
    return make_error(BureauError::bad_signature,
                      fmt::format("the page carries no {} header", kSignatureHeader));
  const auto signature = base64_decode(signature_base64);
  if (!signature)
    return make_error(BureauError::bad_signature,
                      fmt::format("the page's {} is not base64", kSignatureHeader));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  // Ed25519 is one-shot: no digest, the whole body at once.
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(), reinterpret_cast<const unsigned char*>(body.data()),
                       body.size()) == 1;
  if (!ok) {
    ERR_clear_error();
    return make_error(BureauError::bad_signature,
                      "the page's signature does not verify with the bureau's key");
  }
  return {};
}

}  // namespace cardd::server
