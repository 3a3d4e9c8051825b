// SCP02 against a real card's trace (osmocom pySim; docs/test-vectors.md §7).
#include "cardd/personalization/scp02.h"

#include <gtest/gtest.h>

#include "cardd/hsm/factory.h"
#include "child_process.h"
#include "hex.h"
#include "soft_hsm.h"

namespace cardd::personalization {
namespace {

using test::hex;

class Scp02Test : public ::testing::Test {
 protected:
  void SetUp() override {
    hsm_ = test::open_soft_hsm(dir_.path());
    ASSERT_NE(hsm_, nullptr);
    import("enc", "100102030405060708090a0b0c0d0e0f");
    import("mac", "101102030405060708090a0b0c0d0e0f");
    import("dek", "102102030405060708090a0b0c0d0e0f");
  }

  void import(const std::string& name, std::string_view key_hex) {
    test::import_clear_key(*hsm_,
                           hsm::KeySpec{name, hsm::Algorithm::des3_2key, {hsm::Usage::derive}, 1},
                           test::hex(key_hex));
  }

  test::TempDir dir_;
  std::unique_ptr<hsm::Hsm> hsm_;
};

const char* const kHostChallenge = "40A62C37FA6304F8";
const char* const kResponse = "00000000000000000000 70 02 0001 6B4524ABEE7C F32EA3838BC148F3";

TEST_F(Scp02Test, RealCardTrace) {
  auto s =
      Scp02Session::open(*hsm_, {"enc", "mac", "dek"}, hex(kHostChallenge), hex(kResponse), 0x01);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->host_cryptogram(), hex("BA6961667737C5BC"));
  auto auth = s->external_authenticate();
  ASSERT_TRUE(auth.ok()) << auth.error().describe();
  EXPECT_EQ(*auth->encode(), hex("8482010010 BA6961667737C5BC EBECE14C7D6A4376"));
}

TEST_F(Scp02Test, AWrongCardCryptogramIsRefused) {
  auto s = Scp02Session::open(*hsm_, {"enc", "mac", "dek"}, hex(kHostChallenge),
                              hex("00000000000000000000 70 02 0001 6B4524ABEE7C F32EA3838BC148F4"),
                              0x01);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, SecureChannelError::card_cryptogram);
  auto level =
      Scp02Session::open(*hsm_, {"enc", "mac", "dek"}, hex(kHostChallenge), hex(kResponse), 0x13);
  EXPECT_EQ(level.error().code, SecureChannelError::unsupported_level);
}

TEST_F(Scp02Test, TheIcvChainsAndI55EncryptsIt) {
  auto s15 = Scp02Session::open(*hsm_, {"enc", "mac", "dek"}, hex(kHostChallenge), hex(kResponse),
                                0x01, 0x15);
  auto s55 = Scp02Session::open(*hsm_, {"enc", "mac", "dek"}, hex(kHostChallenge), hex(kResponse),
                                0x01, 0x55);
  ASSERT_TRUE(s15.ok() && s55.ok());
  EXPECT_EQ(*s15->external_authenticate()->encode(), *s55->external_authenticate()->encode())
      << "the first C-MAC has a zero ICV either way";
  const card::CommandApdu store{0x80, 0xE2, 0x80, 0x00, hex("0101 03 AABBCC"), std::nullopt};
  auto a = s15->wrap(store), b = s55->wrap(store);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->cla, 0x84);
  EXPECT_EQ(a->data.size(), 6u + 8u);
  EXPECT_NE(a->data, b->data) << "i=55 encrypts the ICV, i=15 does not";
}

}  // namespace
}  // namespace cardd::personalization
