// A sealer for store tests without an HSM: AES-256-GCM under a fixed test
// key with the associated data authenticated, HMAC-SHA-256 keyed hashes.
// Real encryption, so the tests can look for plaintext in the file.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "cardd/db/error.h"
#include "cardd/db/sealer.h"

namespace cardd::db::test {

class TestSealer final : public Sealer {
 public:
  Result<std::string> seal(std::string_view plain, std::string_view ad) override {
    ++seals;
    std::array<unsigned char, 12> iv{};
    RAND_bytes(iv.data(), static_cast<int>(iv.size()));
    std::string out(reinterpret_cast<const char*>(iv.data()), iv.size());
    std::string ct(plain.size(), '\0');
    std::array<unsigned char, 16> tag{};
    Ctx ctx(EVP_CIPHER_CTX_new());
    int n = 0;
    EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), iv.data());
    EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(ad), static_cast<int>(ad.size()));
    EVP_EncryptUpdate(ctx.get(), writable(ct), &n, bytes(plain), static_cast<int>(plain.size()));
    EVP_EncryptFinal_ex(ctx.get(), nullptr, &n);
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data());
    out += ct;
    out.append(reinterpret_cast<const char*>(tag.data()), tag.size());
    return out;
  }

  Result<std::string> open(std::string_view sealed, std::string_view ad) override {
    if (sealed.size() < 28) return bad();
    const auto* iv = bytes(sealed.substr(0, 12));
    const std::string_view ct = sealed.substr(12, sealed.size() - 28);
    std::string tag(sealed.substr(sealed.size() - 16));
    std::string plain(ct.size(), '\0');
    Ctx ctx(EVP_CIPHER_CTX_new());
    int n = 0;
    EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), iv);
    EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(ad), static_cast<int>(ad.size()));
    EVP_DecryptUpdate(ctx.get(), writable(plain), &n, bytes(ct), static_cast<int>(ct.size()));
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, writable(tag));
    if (EVP_DecryptFinal_ex(ctx.get(), nullptr, &n) != 1) return bad();
    return plain;
  }

  Result<std::string> keyed_hash(std::string_view kind, std::string_view value) override {
    std::string in(kind);
    in += '\0';
    in += value;
    std::array<unsigned char, 32> mac{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), bytes(in), in.size(), mac.data(),
         &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
      hex += kHex[mac[i] >> 4];
      hex += kHex[mac[i] & 15];
    }
    return hex;
  }

  int seals = 0;

 private:
  struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
  };
  using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;
  static const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
  }
  static unsigned char* writable(std::string& s) {
    return reinterpret_cast<unsigned char*>(s.data());
  }
  static Error bad() { return make_error(DbError::unsealable, "test sealer: does not open"); }

  std::array<unsigned char, 32> key_ = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                        12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                        23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
};

}  // namespace cardd::db::test
