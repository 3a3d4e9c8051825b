#include "block_cipher.h"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace cardd::hsm::crypto {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct CipherFree {
  void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};
struct MacFree {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

const char* cipher_name(Algorithm a, CipherMode mode) {
  const bool ecb = mode == CipherMode::ecb;
  switch (a) {
    case Algorithm::des3_2key:
      return ecb ? "DES-EDE-ECB" : "DES-EDE-CBC";
    case Algorithm::des3_3key:
      return ecb ? "DES-EDE3-ECB" : "DES-EDE3-CBC";
    case Algorithm::aes128:
      return ecb ? "AES-128-ECB" : "AES-128-CBC";
    case Algorithm::aes192:
      return ecb ? "AES-192-ECB" : "AES-192-CBC";
    case Algorithm::aes256:
      return ecb ? "AES-256-ECB" : "AES-256-CBC";
    case Algorithm::sm4:
      return ecb ? "SM4-ECB" : "SM4-CBC";
  }
  return "";
}

Error openssl_error(std::string_view what) {
  return make_error(HsmError::internal, fmt::format("OpenSSL could not {}", what));
}

// Fetched once per thread and name: an implicit fetch on every operation
// takes OpenSSL's global method-store lock, which serialises key operations
// from several threads.
const EVP_CIPHER* fetched_cipher(const char* name) {
  thread_local std::map<std::string, std::unique_ptr<EVP_CIPHER, CipherFree>, std::less<>> ciphers;
  auto it = ciphers.find(std::string_view(name));
  if (it == ciphers.end()) {
    std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
    if (!cipher) return nullptr;
    it = ciphers.emplace(name, std::move(cipher)).first;
  }
  return it->second.get();
}

// A CMAC context per thread and algorithm, made (and its cipher fetched)
// once, then re-keyed for every MAC: creating one per MAC fetches the cipher
// under OpenSSL's global lock. It is left keyed with zeros after each use,
// so no key schedule stays behind.
struct CmacContext {
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx;
  bool cipher_set = false;
};

CmacContext* cmac_context(Algorithm algorithm) {
  thread_local std::map<Algorithm, CmacContext> contexts;
  auto it = contexts.find(algorithm);
  if (it != contexts.end()) return &it->second;
  std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
  if (!mac) return nullptr;
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return nullptr;
  return &contexts.emplace(algorithm, CmacContext{std::move(ctx), false}).first->second;
}

Result<Bytes> run_cipher(const char* name, ByteView key, bool encrypt, ByteView iv, ByteView data) {
  const EVP_CIPHER* cipher = fetched_cipher(name);
  if (cipher == nullptr)
    return make_error(HsmError::mechanism_unsupported, fmt::format("OpenSSL has no {}", name));
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  Bytes zero_iv(static_cast<std::size_t>(EVP_CIPHER_get_iv_length(cipher)), 0);
  const unsigned char* ivp = iv.empty() ? zero_iv.data() : iv.data();
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), ivp, encrypt ? 1 : 0, nullptr) != 1)
    return openssl_error("set up the cipher");
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(data.size() + 32);
  int n = 0, tail = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, data.data(), static_cast<int>(data.size())) !=
          1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1)
    return openssl_error("run the cipher");
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

}  // namespace

Result<Bytes> crypt(Algorithm algorithm, const SecureBytes& key, bool encrypt, CipherMode mode,
                    ByteView iv, ByteView data) {
  return run_cipher(cipher_name(algorithm, mode), key.span(), encrypt, iv, data);
}

Result<Bytes> cmac(Algorithm algorithm, const SecureBytes& key, ByteView data) {
  CmacContext* c = cmac_context(algorithm);
  if (c == nullptr) return make_error(HsmError::mechanism_unsupported, "OpenSSL has no CMAC");
  // CMAC runs the cipher in CBC mode; named once, on the context's first use.
  char* name = const_cast<char*>(cipher_name(algorithm, CipherMode::cbc));
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, name, 0),
                               OSSL_PARAM_construct_end()};
  EVP_MAC_CTX* ctx = c->ctx.get();
  if (EVP_MAC_init(ctx, key.data(), key.size(), c->cipher_set ? nullptr : params) != 1 ||
      EVP_MAC_update(ctx, data.data(), data.size()) != 1)
    return openssl_error("compute a CMAC");
  c->cipher_set = true;
  Bytes out(16);
  std::size_t length = 0;
  const bool finished = EVP_MAC_final(ctx, out.data(), &length, out.size()) == 1;
  static constexpr unsigned char kZeros[32] = {};
  (void)EVP_MAC_init(ctx, kZeros, std::min(key.size(), sizeof kZeros), nullptr);
  if (!finished) return openssl_error("finish a CMAC");
  out.resize(length);
  return out;
}

Result<Bytes> retail_mac(const SecureBytes& key, ByteView data) {
  // Single DES is only in OpenSSL's legacy provider; 3DES with one key
  // repeated three times is the same cipher.
  SecureBytes k1(24), k2(24);
  for (std::size_t i = 0; i < 24; ++i) {
    k1[i] = key[i % 8];
    k2[i] = key[8 + i % 8];
  }
  auto chain = run_cipher("DES-EDE3-CBC", k1.span(), true, {}, data);
  if (!chain) return chain;
  const ByteView last(chain->data() + chain->size() - 8, 8);
  auto step = run_cipher("DES-EDE3-ECB", k2.span(), false, {}, last);
  if (!step) return step;
  return run_cipher("DES-EDE3-ECB", k1.span(), true, {}, *step);
}

Result<Bytes> des_k1_mac(const SecureBytes& key, ByteView data) {
  SecureBytes k1(24);
  for (std::size_t i = 0; i < 24; ++i) k1[i] = key[i % 8];
  auto chain = run_cipher("DES-EDE3-CBC", k1.span(), true, {}, data);
  if (!chain) return chain;
  return Bytes(chain->end() - 8, chain->end());
}

Result<SecureBytes> sp800_108_cmac(Algorithm algorithm, const SecureBytes& key,
                                   std::uint8_t constant, ByteView context, std::size_t out_length,
                                   Sp800108Layout layout) {
  const std::size_t bits = out_length * 8;
  SecureBytes out(out_length);
  std::size_t written = 0;
  for (std::uint8_t counter = 1; written < out_length; ++counter) {
    Bytes input;
    if (layout == Sp800108Layout::gp_kdf3) {
      input = {counter, 0x00, 0x00, 0x00, constant, 0x00};
    } else {
      input.assign(11, 0);
      input.push_back(constant);
      input.push_back(0x00);
      input.push_back(static_cast<std::uint8_t>(bits >> 8));
      input.push_back(static_cast<std::uint8_t>(bits));
      input.push_back(counter);
    }
    input.insert(input.end(), context.begin(), context.end());
    auto block = cmac(algorithm, key, input);
    if (!block) return block.error();
    for (std::size_t i = 0; i < block->size() && written < out_length; ++i)
      out[written++] = (*block)[i];
  }
  return out;
}

Result<SecureBytes> random_bytes(std::size_t length) {
  SecureBytes out(length);
  if (RAND_priv_bytes(out.data(), static_cast<int>(length)) != 1)
    return openssl_error("draw random bytes");
  return out;
}

}  // namespace cardd::hsm::crypto
