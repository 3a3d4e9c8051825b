#include "card_crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cardd::vcard {
namespace {

const char* name(Cipher c, std::size_t key_size, bool ecb) {
  if (c == Cipher::sm4) return ecb ? "SM4-ECB" : "SM4-CBC";
  if (key_size == 32) return ecb ? "AES-256-ECB" : "AES-256-CBC";
  if (key_size == 24) return ecb ? "AES-192-ECB" : "AES-192-CBC";
  return ecb ? "AES-128-ECB" : "AES-128-CBC";
}

// Fetched once per thread: an implicit fetch on every block takes OpenSSL's
// global method-store lock, and cards in several in-process readers (the
// benchmarks, a test's slots) would queue on it.
const EVP_CIPHER* fetched(const char* cipher_name) {
  thread_local std::map<std::string, std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)>,
                        std::less<>>
      ciphers;
  auto it = ciphers.find(std::string_view(cipher_name));
  if (it == ciphers.end())
    it = ciphers
             .emplace(cipher_name,
                      std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)>(
                          EVP_CIPHER_fetch(nullptr, cipher_name, nullptr), EVP_CIPHER_free))
             .first;
  return it->second.get();
}

Bytes run(const char* cipher_name, ByteView key, ByteView iv, ByteView data, bool encrypt) {
  const EVP_CIPHER* cipher = fetched(cipher_name);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  if (cipher == nullptr || !ctx ||
      EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv.empty() ? nullptr : iv.data(),
                         encrypt ? 1 : 0, nullptr) != 1)
    throw std::runtime_error("card cipher set-up failed");
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(data.size() + 16);
  int n = 0, tail = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, data.data(), static_cast<int>(data.size())) !=
          1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1)
    throw std::runtime_error("card cipher failed");
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

// A CMAC context per thread and cipher, its cipher set once (setting it
// fetches the cipher under the same global lock) and re-keyed for each MAC.
EVP_MAC_CTX* cmac_context(const char* cipher_name) {
  using MacPtr = std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)>;
  using CtxPtr = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;
  thread_local std::map<std::string, CtxPtr, std::less<>> contexts;
  auto it = contexts.find(std::string_view(cipher_name));
  if (it != contexts.end()) return it->second.get();
  const MacPtr mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr), EVP_MAC_free);
  CtxPtr ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr, EVP_MAC_CTX_free);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>(cipher_name), 0),
      OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_CTX_set_params(ctx.get(), params) != 1) return nullptr;
  return contexts.emplace(cipher_name, std::move(ctx)).first->second.get();
}

}  // namespace

Bytes block_encrypt(Cipher c, ByteView key, ByteView iv, ByteView data, bool encrypt) {
  return run(name(c, key.size(), iv.empty()), key, iv, data, encrypt);
}

Bytes tdes(ByteView key16, ByteView iv, ByteView data, bool encrypt) {
  return run(iv.empty() ? "DES-EDE-ECB" : "DES-EDE-CBC", key16.subspan(0, 16), iv, data, encrypt);
}

Bytes single_des(ByteView key8, ByteView iv, ByteView data, bool encrypt) {
  // Single DES is legacy-only in OpenSSL 3; EDE3 with K|K|K is the same cipher.
  Bytes k3(24);
  for (std::size_t i = 0; i < k3.size(); ++i) k3[i] = key8[i % 8];
  return run(iv.empty() ? "DES-EDE3-ECB" : "DES-EDE3-CBC", k3, iv, data, encrypt);
}

Bytes retail_mac(ByteView key16, ByteView icv, ByteView padded) {
  const Bytes chain = single_des(key16.subspan(0, 8), icv, padded, true);
  const Bytes last(chain.end() - 8, chain.end());
  const Bytes step = single_des(key16.subspan(8, 8), {}, last, false);
  return single_des(key16.subspan(0, 8), {}, step, true);
}

Bytes cmac(Cipher c, ByteView key, ByteView data) {
  EVP_MAC_CTX* ctx = cmac_context(name(c, key.size(), false));
  Bytes out(16);
  std::size_t length = 0;
  if (ctx == nullptr || EVP_MAC_init(ctx, key.data(), key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &length, out.size()) != 1)
    throw std::runtime_error("card CMAC failed");
  return out;
}

Bytes scp03_kdf(Cipher c, ByteView key, std::uint8_t constant, std::size_t out_bytes,
                ByteView context) {
  Bytes out;
  const std::size_t bits = out_bytes * 8;
  for (std::uint8_t i = 1; out.size() < out_bytes; ++i) {
    Bytes block(16 + context.size(), 0);
    block[11] = constant;
    block[13] = static_cast<std::uint8_t>(bits >> 8);
    block[14] = static_cast<std::uint8_t>(bits);
    block[15] = i;
    std::copy(context.begin(), context.end(), block.begin() + 16);
    const Bytes part = cmac(c, key, block);
    out.insert(out.end(), part.begin(), part.end());
  }
  out.resize(out_bytes);
  return out;
}

}  // namespace cardd::vcard
