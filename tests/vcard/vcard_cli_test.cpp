// The vcard program's options for a new card. vcard writes the card's state
// before it looks for vpcd, so these run without pcscd: no vpcd listens on
// the port given, and vcard gives up at once.
#include <gtest/gtest.h>

#include <filesystem>

#include "cardd/vcard/chip.h"
#include "cardd/vcard/state_file.h"
#include "child_process.h"
#include "hex.h"

namespace cardd::vcard {
namespace {

using cardd::test::hex;

class VcardProgram : public ::testing::Test {
 protected:
  cardd::test::RunResult run(std::vector<std::string> options) {
    std::vector<std::string> argv = {
        cardd::test::bin_path("vcard"), "--state", path_, "--port", "9",
        "--connect-timeout-ms",         "0"};
    argv.insert(argv.end(), options.begin(), options.end());
    return cardd::test::run_command(argv);
  }
  CardState state() {
    std::string error;
    auto s = load_state(path_, error);
    EXPECT_TRUE(s) << error;
    return s ? *s : CardState{};
  }

  cardd::test::TempDir dir_;
  std::string path_ = (dir_.path() / "card.json").string();
};

TEST_F(VcardProgram, KeysDiversifiedFromTheKmc) {
  const std::string kmc = "404142434445464748494A4B4C4D4E4F";
  for (const auto& [name, cipher] : {std::pair{"aes", Cipher::aes}, std::pair{"sm4", Cipher::sm4},
                                     std::pair{"des3", Cipher::des3}}) {
    std::filesystem::remove(path_);
    const auto r = run({"--serial", "C0FFEE01", "--cipher", name, "--kmc", kmc});
    EXPECT_EQ(r.exit_code, 1) << "no vpcd: " << r.err;
    const CardState s = state();
    const auto expected = diversified_keys(cipher, hex(kmc), hex("C0FFEE01"));
    ASSERT_TRUE(expected);
    EXPECT_EQ(s.serial, hex("C0FFEE01"));
    EXPECT_EQ(s.keys.cipher, cipher);
    EXPECT_EQ(s.keys.enc, expected->enc) << name;
    EXPECT_EQ(s.keys.mac, expected->mac) << name;
    EXPECT_EQ(s.keys.dek, expected->dek) << name;
    EXPECT_EQ(s.keys.version, cipher == Cipher::des3 ? 0x20 : 0x30);
    EXPECT_NE(s.keys.enc, s.keys.mac);
  }
}

TEST_F(VcardProgram, DiversifiedDesKeysHaveOddParity) {
  run({"--cipher", "des3", "--kmc", "000102030405060708090A0B0C0D0E0F"});
  for (const Bytes& key : {state().keys.enc, state().keys.mac, state().keys.dek})
    for (const std::uint8_t b : key) EXPECT_EQ(__builtin_popcount(b) % 2, 1) << int{b};
}

TEST_F(VcardProgram, ExplicitKeysWithACipher) {
  const auto r = run({"--cipher", "sm4", "--enc", "000102030405060708090A0B0C0D0E0F", "--mac",
                      "101112131415161718191A1B1C1D1E1F", "--dek",
                      "202122232425262728292A2B2C2D2E2F", "--auth-limit", "4"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const CardState s = state();
  EXPECT_EQ(s.keys.cipher, Cipher::sm4);
  EXPECT_EQ(s.keys.mac, hex("101112131415161718191A1B1C1D1E1F"));
  EXPECT_EQ(s.keys.version, 0x30);
  EXPECT_EQ(s.auth_limit, 4);
  EXPECT_EQ(s.life_cycle, LifeCycle::initialized);
}

TEST_F(VcardProgram, AnExistingCardKeepsItsKeysButTakesANewAuthLimit) {
  run({"--kmc", "404142434445464748494A4B4C4D4E4F"});
  const Bytes enc = state().keys.enc;
  run({"--kmc", "505152535455565758595A5B5C5D5E5F", "--auth-limit", "2"});
  EXPECT_EQ(state().keys.enc, enc);
  EXPECT_EQ(state().auth_limit, 2);
}

TEST_F(VcardProgram, BadOptionsAreRefused) {
  EXPECT_EQ(run({"--kmc", "4041"}).exit_code, 2);
  EXPECT_EQ(run({"--cipher", "rc4"}).exit_code, 2);
  EXPECT_EQ(run({"--serial", "XYZ00001"}).exit_code, 2);
  EXPECT_EQ(run({"--cipher", "des3", "--enc", "0011"}).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

// Without --state: the hopper's options (the stack itself runs through pcscd
// in pcsc.Hopper.*).
TEST_F(VcardProgram, HopperOptions) {
  const auto vcard = [](std::vector<std::string> options) {
    std::vector<std::string> argv = {cardd::test::bin_path("vcard"), "--port", "9",
                                     "--connect-timeout-ms", "0"};
    argv.insert(argv.end(), options.begin(), options.end());
    return cardd::test::run_command(argv);
  };
  const std::string kmc = "404142434445464748494A4B4C4D4E4F";
  const auto out = dir_.path() / "out";
  // The first card is made (keys diversified for its serial) before vpcd is
  // looked for.
  auto r =
      vcard({"--hopper", "2", "--serial", "FFFFFFFE", "--kmc", kmc, "--out-dir", out.string()});
  EXPECT_EQ(r.exit_code, 1) << "no vpcd: " << r.err;
  std::string error;
  const auto first = load_state((out / "FFFFFFFE.json").string(), error);
  ASSERT_TRUE(first) << error;
  EXPECT_EQ(first->keys.enc, diversified_keys(Cipher::aes, hex(kmc), hex("FFFFFFFE"))->enc);

  r = vcard({"--hopper", "3", "--serial", "FFFFFFFE"});
  EXPECT_EQ(r.exit_code, 2) << "the third serial does not fit in 32 bits";
  EXPECT_NE(r.err.find("last serial"), std::string::npos) << r.err;
  EXPECT_EQ(vcard({"--hopper", "2", "--state", path_}).exit_code, 2);
  EXPECT_EQ(vcard({}).exit_code, 2) << "neither --state nor --hopper";
  EXPECT_NE(vcard({"--state", path_, "--out-dir", out.string()}).exit_code, 0)
      << "--out-dir needs --hopper";
  EXPECT_NE(vcard({"--hopper", "0"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

}  // namespace
}  // namespace cardd::vcard
