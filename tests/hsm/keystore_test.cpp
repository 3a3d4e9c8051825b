// The soft backend's keystore file: wrong passphrase, damage and truncation
// are clear errors and never a partly loaded store; writes are atomic.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "cardd/hsm/factory.h"
#include "child_process.h"
#include "gtest/gtest.h"

namespace cardd::hsm {
namespace {

class KeystoreTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Hsm>> open(const std::string& passphrase = "right passphrase") {
    std::ofstream(secret_) << passphrase << "\n";
    HsmConfig c;
    c.soft.keystore_path = store_;
    c.soft.passphrase_file = secret_;
    return open_hsm(c);
  }
  std::vector<char> bytes() const {
    std::ifstream in(store_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write(const std::vector<char>& b) const {
    std::ofstream(store_, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
  }

  void make_two_keys() {
    auto hsm = open();
    ASSERT_TRUE(hsm.ok()) << hsm.error().describe();
    ASSERT_TRUE((*hsm)->generate(KeySpec{"a", Algorithm::aes256, {Usage::encrypt}, 1}).ok());
    ASSERT_TRUE((*hsm)->generate(KeySpec{"b", Algorithm::des3_2key, {Usage::mac}, 1}).ok());
  }

  cardd::test::TempDir dir_;
  std::string store_ = (dir_.path() / "keys.cks").string();
  std::string secret_ = (dir_.path() / "secret").string();
};

TEST_F(KeystoreTest, WrongPassphraseIsLoginFailed) {
  make_two_keys();
  auto r = open("wrong passphrase");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::login_failed);
}

TEST_F(KeystoreTest, EveryTruncationIsRefusedWhole) {
  make_two_keys();
  const auto full = bytes();
  for (std::size_t n :
       {std::size_t{0}, std::size_t{7}, std::size_t{40}, full.size() / 2, full.size() - 1}) {
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
  auto hsm = open();
  ASSERT_TRUE(hsm.ok());
  auto k = parse_key_hex(Algorithm::aes128, "000102030405060708090a0b0c0d0e0f");
  std::vector<SecureBytes> parts;
  parts.push_back(SecureBytes(16));
  parts.push_back(k->clone());
  parts[0][0] = 0x80;
  parts[1][0] ^= 0x80;
  ASSERT_TRUE(
      (*hsm)
          ->import_components(KeySpec{"clear", Algorithm::aes128, {Usage::encrypt}, 1}, parts)
          .ok());
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
}  // namespace cardd::hsm
