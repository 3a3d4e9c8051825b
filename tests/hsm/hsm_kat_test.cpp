// Known-answer tests from the standards, run against every backend. Where a
// backend cannot do the algorithm it must say mechanism_unsupported.
// Sources and independent checks: docs/test-vectors.md.
#include "backend_fixture.h"

namespace cardd::hsm::test {
namespace {

constexpr UsageSet kAll{Usage::encrypt, Usage::decrypt, Usage::mac, Usage::derive, Usage::wrap};

class Kat : public HsmBackendTest {
 protected:
  // Imports the key, or checks that an unsupported algorithm is refused
  // clearly; returns false in that case so the test stops there.
  bool key(const std::string& name, Algorithm alg, std::string_view key_hex,
           const std::string& operation) {
    if (supports(alg, operation)) {
      import_key(name, alg, kAll, key_hex);
      return !::testing::Test::HasFailure();
    }
    auto k = parse_key_hex(alg, key_hex);
    std::vector<SecureBytes> parts;
    parts.push_back(k->clone());
    parts.push_back(SecureBytes(key_length(alg)));
    for (std::size_t i = 0; i < parts[1].size(); ++i)
      parts[1][i] = static_cast<std::uint8_t>(i * 7 + 3);
    for (std::size_t i = 0; i < parts[1].size(); ++i) parts[0][i] ^= parts[1][i];
    auto imported = hsm_->import_components(KeySpec{name, alg, kAll, 1}, parts);
    if (imported.ok()) {
      // The key may be storable while the operation is not.
      return true;
    }
    EXPECT_EQ(imported.error().code, HsmError::mechanism_unsupported)
        << imported.error().describe();
    return false;
  }

  void expect_unsupported_or(const Result<Bytes>& r, bool supported,
                             const std::string& expected_hex) {
    if (!supported) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, HsmError::mechanism_unsupported) << r.error().describe();
      return;
    }
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(to_hex(*r), expected_hex);
  }
};

TEST_P(Kat, Aes128EcbFips197AppendixC1) {
  ASSERT_TRUE(key("aes", Algorithm::aes128, "000102030405060708090a0b0c0d0e0f", "ecb"));
  auto ct = hsm_->encrypt("aes", CipherMode::ecb, {}, hex("00112233445566778899aabbccddeeff"));
  ASSERT_TRUE(ct.ok()) << ct.error().describe();
  EXPECT_EQ(to_hex(*ct), "69c4e0d86a7b0430d8cdb78070b4c55a");
  auto pt = hsm_->decrypt("aes", CipherMode::ecb, {}, *ct);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(to_hex(*pt), "00112233445566778899aabbccddeeff");
}

TEST_P(Kat, Aes128CmacSp800_38bRfc4493) {
  ASSERT_TRUE(key("cmac", Algorithm::aes128, "2b7e151628aed2a6abf7158809cf4f3c", "cmac"));
  const std::pair<const char*, const char*> vectors[] = {
      {"", "bb1d6929e95937287fa37d129b756746"},
      {"6bc1bee22e409f96e93d7e117393172a", "070a16b46b4d4144f79bdd9dd04a287c"},
      {"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411",
       "dfa66747de9ae63030ca32611497c827"},
  };
  for (const auto& [message, mac] : vectors) {
    auto r = hsm_->mac("cmac", MacMethod::cmac, hex(message));
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(to_hex(*r), mac) << message;
  }
}

TEST_P(Kat, Sm4EcbGbT32907) {
  if (!key("sm4", Algorithm::sm4, "0123456789abcdeffedcba9876543210", "ecb")) return;
  auto ct = hsm_->encrypt("sm4", CipherMode::ecb, {}, hex("0123456789abcdeffedcba9876543210"));
  expect_unsupported_or(ct, supports(Algorithm::sm4, "ecb"), "681edf34d206965e86b3e94f536e4246");
}

TEST_P(Kat, CbcChainsBlocks) {
  ASSERT_TRUE(key("aes", Algorithm::aes128, "000102030405060708090a0b0c0d0e0f", "cbc"));
  const Bytes data = hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  auto cbc = hsm_->encrypt("aes", CipherMode::cbc, {}, data);
  ASSERT_TRUE(cbc.ok());
  // Block 1 equals ECB (zero IV); block 2 differs from block 1.
  EXPECT_EQ(to_hex(ByteView(*cbc).subspan(0, 16)), "69c4e0d86a7b0430d8cdb78070b4c55a");
  EXPECT_NE(to_hex(ByteView(*cbc).subspan(16, 16)), "69c4e0d86a7b0430d8cdb78070b4c55a");
  auto back = hsm_->decrypt("aes", CipherMode::cbc, {}, *cbc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
}

INSTANTIATE_TEST_SUITE_P(Backends, Kat, ::testing::Values("soft"), backend_name);

}  // namespace
}  // namespace cardd::hsm::test
