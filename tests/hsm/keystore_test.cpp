// The soft backend's keystore file: wrong passphrase, damage and truncation
// are clear errors and never a partly loaded store; the KDF is strong and
// older files are upgraded; key values never appear in the file.
#include <openssl/sha.h>
#include <sys/stat.h>

#include "keystore_fixture.h"

namespace cardd::hsm::test {
namespace {

// Header offsets (hsm/src/soft/keystore.h).
constexpr std::size_t kFormatAt = 8, kLog2NAt = 9, kSaltAt = 18, kHeaderEnd = 50;
constexpr std::size_t kChecksumEnd = kHeaderEnd + 32;

std::uint32_t be32(const std::vector<char>& b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<std::uint8_t>(b[at + i]);
  return v;
}

TEST_F(KeystoreTest, WrongPassphraseIsLoginFailed) {
  make_two_keys();
  auto r = open("wrong passphrase");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::login_failed);
}

TEST_F(KeystoreTest, EveryTruncationIsRefusedWhole) {
  make_two_keys();
  const auto full = bytes();
  for (std::size_t n : {std::size_t{0}, std::size_t{7}, std::size_t{40}, std::size_t{60},
                        full.size() / 2, full.size() - 1}) {
    write(std::vector<char>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
    auto r = open();
    ASSERT_FALSE(r.ok()) << "truncated to " << n;
    EXPECT_EQ(r.error().code, HsmError::store_corrupt) << n << ": " << r.error().describe();
  }
}

TEST_F(KeystoreTest, AFlippedByteIsDetected) {
  make_two_keys();
  auto b = bytes();
  b[b.size() - 40] = static_cast<char>(b[b.size() - 40] ^ 0x01);
  write(b);
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::store_corrupt);
}

// Salt, KDF parameters and the passphrase check are covered by the header
// checksum: their damage is a damaged file, not a wrong passphrase.
TEST_F(KeystoreTest, EveryHeaderByteFlippedIsStoreCorrupt) {
  make_two_keys();
  const auto good = bytes();
  for (std::size_t at = 0; at < kChecksumEnd; ++at) {
    for (const int mask : {0x01, 0x80}) {
      auto b = good;
      b[at] = static_cast<char>(b[at] ^ mask);
      write(b);
      auto r = open();
      ASSERT_FALSE(r.ok()) << "byte " << at;
      EXPECT_EQ(r.error().code, HsmError::store_corrupt) << at << ": " << r.error().describe();
    }
  }
  write(good);
  EXPECT_TRUE(open().ok());
  EXPECT_EQ(open("wrong passphrase").error().code, HsmError::login_failed);
}

TEST_F(KeystoreTest, NewStoresUseFormat2AndScryptN2e17) {
  make_two_keys();
  const auto b = bytes();
  EXPECT_EQ(b[kFormatAt], 2);
  EXPECT_EQ(b[kLog2NAt], 17) << "N = 2^17";
  EXPECT_EQ(be32(b, 10), 8u) << "r";
  EXPECT_EQ(be32(b, 14), 1u) << "p";
  std::array<unsigned char, 32> sum{};
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), kHeaderEnd, sum.data());
  EXPECT_TRUE(
      std::equal(sum.begin(), sum.end(), b.begin() + kHeaderEnd,
                 [](unsigned char x, char y) { return x == static_cast<unsigned char>(y); }));
}

// tests/hsm/data/keystore-v1.cks: format 1, N = 2^15, written by
// make_v1_keystore.py as cardd wrote keystores before format 2.
class KeystoreV1Test : public KeystoreTest {
 protected:
  void SetUp() override {
    std::filesystem::copy_file(CARDD_HSM_TEST_DATA "/keystore-v1.cks", store_);
    std::filesystem::permissions(
        store_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  static constexpr const char* kPassphrase = "legacy keystore passphrase";
};

TEST_F(KeystoreV1Test, OpensAndIsRewrittenWithNewParametersAtTheNextSave) {
  const auto before = bytes();
  ASSERT_EQ(before[kFormatAt], 1);
  ASSERT_EQ(before[kLog2NAt], 15);
  {
    auto hsm = open(kPassphrase);
    ASSERT_TRUE(hsm.ok()) << hsm.error().describe();
    auto legacy = (*hsm)->info("legacy.aes");
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(legacy->kcv, "C35280");
    EXPECT_EQ(bytes(), before) << "opening writes nothing";
    ASSERT_TRUE((*hsm)->generate(KeySpec{"new", Algorithm::aes128, {Usage::mac}, 1}).ok());
  }
  const auto after = bytes();
  EXPECT_EQ(after[kFormatAt], 2);
  EXPECT_EQ(after[kLog2NAt], 17);
  EXPECT_FALSE(
      std::equal(before.begin() + kSaltAt, before.begin() + kSaltAt + 16, after.begin() + kSaltAt))
      << "a new salt with the new parameters";
  auto hsm = open(kPassphrase);
  ASSERT_TRUE(hsm.ok()) << hsm.error().describe();
  EXPECT_EQ((*hsm)->info("legacy.aes")->kcv, "C35280");
  EXPECT_TRUE((*hsm)->info("new").ok());
  EXPECT_EQ(open("wrong passphrase").error().code, HsmError::login_failed);
}

TEST_F(KeystoreV1Test, AnScryptNBelow2e15IsRefusedAsUnsafe) {
  auto b = bytes();
  b[kLog2NAt] = 14;
  write(b);
  auto r = open(kPassphrase);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::store_corrupt);
  EXPECT_NE(r.error().message.find("too weak"), std::string::npos) << r.error().describe();
}

TEST_F(KeystoreTest, AFormat2FileWithAWeakNAndAValidChecksumIsRefused) {
  make_two_keys();
  auto b = bytes();
  b[kLog2NAt] = 14;
  std::array<unsigned char, 32> sum{};
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), kHeaderEnd, sum.data());
  std::copy(sum.begin(), sum.end(), b.begin() + kHeaderEnd);
  write(b);
  auto r = open();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::store_corrupt);
  EXPECT_NE(r.error().message.find("too weak"), std::string::npos) << r.error().describe();
}

TEST_F(KeystoreTest, FileIsPrivateAndWrittenAtomically) {
  make_two_keys();
  struct stat st {};
  ASSERT_EQ(::stat(store_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(store_ + ".tmp"));
  auto hsm = open();
  ASSERT_TRUE(hsm.ok());
  EXPECT_EQ((*hsm)->list()->size(), 2u);
}

TEST_F(KeystoreTest, KeyValuesAreNotInTheFile) {
  auto hsm = create();
  ASSERT_NE(hsm, nullptr);
  auto k = parse_key_hex(Algorithm::aes128, "000102030405060708090a0b0c0d0e0f");
  std::vector<SecureBytes> parts;
  parts.push_back(SecureBytes(16));
  parts.push_back(k->clone());
  parts[0][0] = 0x80;
  parts[1][0] ^= 0x80;
  ASSERT_TRUE(
      hsm->import_components(KeySpec{"clear", Algorithm::aes128, {Usage::encrypt}, 1}, parts).ok());
  const auto b = bytes();
  const std::string file(b.begin(), b.end());
  const std::string needle(reinterpret_cast<const char*>(k->data()), k->size());
  EXPECT_EQ(file.find(needle), std::string::npos);
}

TEST_F(KeystoreTest, MissingSecretIsAClearError) {
  HsmConfig c;
  c.soft.keystore_path = store_;
  c.soft.passphrase_env = "CARDD_TEST_NO_SUCH_VARIABLE";
  auto r = open_hsm(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::login_failed);
  c.backend = "tpm";
  EXPECT_EQ(open_hsm(c).error().code, HsmError::invalid_argument);
}

}  // namespace
}  // namespace cardd::hsm::test
