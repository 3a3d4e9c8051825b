// Test support: the block-cipher primitives written a second time with plain
// OpenSSL, apart from cardd's hsm/ and vcard, so that a test's expected
// values never come from the code it checks.
#pragma once

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

namespace cardd::test::reference {

using Bytes = std::vector<std::uint8_t>;

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// NIST SP 800-38B CMAC with AES-128.
inline Bytes aes_cmac(const Bytes& key, const Bytes& data) {
  std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr),
                                                        EVP_MAC_free);
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(mac.get()),
                                                                EVP_MAC_CTX_free);
  char cipher[] = "AES-128-CBC";
  const OSSL_PARAM params[] = {OSSL_PARAM_utf8_string("cipher", cipher, 0), OSSL_PARAM_END};
  Bytes out(16);
  std::size_t n = 0;
  EXPECT_EQ(EVP_MAC_init(ctx.get(), key.data(), key.size(), params), 1);
  EXPECT_EQ(EVP_MAC_update(ctx.get(), data.data(), data.size()), 1);
  EXPECT_EQ(EVP_MAC_final(ctx.get(), out.data(), &n, out.size()), 1);
  return out;
}

// CBC encryption without padding (ECB is CBC with a zero IV on one block).
inline Bytes cbc(const EVP_CIPHER* cipher, const Bytes& key, const Bytes& iv, const Bytes& data) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data()), 1);
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(data.size());
  int n = 0;
  EXPECT_EQ(
      EVP_EncryptUpdate(ctx.get(), out.data(), &n, data.data(), static_cast<int>(data.size())), 1);
  return out;
}

inline Bytes aes_cbc(const Bytes& key, const Bytes& iv, const Bytes& data) {
  return cbc(EVP_aes_128_cbc(), key, iv, data);
}

// One AES-128 block, ECB.
inline Bytes aes_block(const Bytes& key, const Bytes& block) {
  return aes_cbc(key, Bytes(16, 0x00), block);
}

// Amendment D 6.2.2 (SP 800-108 counter mode, CMAC): label (11 zero bytes,
// the constant), separator 00, L in bits, counter 01, context.
inline Bytes scp03_kdf(const Bytes& key, std::uint8_t constant, std::uint16_t bits,
                       const Bytes& context) {
  Bytes data(11, 0x00);
  data.insert(data.end(), {constant, 0x00, static_cast<std::uint8_t>(bits >> 8),
                           static_cast<std::uint8_t>(bits & 0xFF), 0x01});
  data.insert(data.end(), context.begin(), context.end());
  const Bytes full = aes_cmac(key, data);
  return Bytes(full.begin(), full.begin() + bits / 8);
}

}  // namespace cardd::test::reference
