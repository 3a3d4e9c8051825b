// SCP03 against the cryptograms and EXTERNAL AUTHENTICATE MACs of real cards
// (osmocom pySim test traces; docs/test-vectors.md §8), with the soft HSM.
#include "cardd/personalization/scp03.h"

#include <gtest/gtest.h>

#include "hex.h"

#include "cardd/hsm/factory.h"
#include "child_process.h"
#include "soft_hsm.h"

namespace cardd::personalization {
namespace {

using test::hex;

class Scp03Test : public ::testing::Test {
 protected:
  void SetUp() override {
    hsm_ = test::open_soft_hsm(dir_.path());
    ASSERT_NE(hsm_, nullptr);
    import("card/enc", "000102030405060708090a0b0c0d0e0f");
    import("card/mac", "101112131415161718191a1b1c1d1e1f");
  }

  void import(const std::string& name, std::string_view key_hex) {
    test::import_clear_key(*hsm_,
                           hsm::KeySpec{name, hsm::Algorithm::aes128, {hsm::Usage::derive}, 1},
                           test::hex(key_hex));
  }

  Result<Scp03Session> open(std::string_view host_challenge, std::string_view response,
                            std::uint8_t level) {
    return Scp03Session::open(*hsm_, Scp03Keys{"card/enc", "card/mac"}, hex(host_challenge),
                              hex(response), level);
  }

  test::TempDir dir_;
  std::unique_ptr<hsm::Hsm> hsm_;
};

TEST_F(Scp03Test, RealCardTraceSecurityLevel11) {
  auto s = open("B13E5F938FC108C4",
                "00000000000000000000 3003 70 3EB51047495B249F 66C484C1D2EF1948 000002", 0x11);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->host_cryptogram(), hex("7D5F5826A993EBC8"));
  EXPECT_EQ(s->key_version(), 0x30);
  auto auth = s->external_authenticate();
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(*auth->encode(), hex("8482110010 7D5F5826A993EBC8 9EEA24957FA0B3CE"));
}

TEST_F(Scp03Test, RealCardTraceSecurityLevel03) {
  auto s = open("8E1552D0513C60F3",
                "00000000000000000000 3003 70 30760CD2C47C1DD3 95065FE5EAD8A9D7 000001", 0x03);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  auto auth = s->external_authenticate();
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(*auth->encode(), hex("8482030010 FD4721A14D9B0700 3C451D2F8AE6BB21"));
}

TEST_F(Scp03Test, AWrongCardCryptogramIsRefused) {
  auto s = open("B13E5F938FC108C4",
                "00000000000000000000 3003 70 3EB51047495B249F 66C484C1D2EF1949 000002", 0x11);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, SecureChannelError::card_cryptogram);
  auto shape = open("B13E5F938FC108C4", "0000000000", 0x11);
  EXPECT_EQ(shape.error().code, SecureChannelError::bad_response);
}

TEST_F(Scp03Test, SessionKeysLiveOnlyAsLongAsTheSession) {
  const auto before = hsm_->list()->size();
  {
    auto s = open("B13E5F938FC108C4",
                  "00000000000000000000 3003 70 3EB51047495B249F 66C484C1D2EF1948 000002", 0x11);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(hsm_->list()->size(), before + 3);
  }
  EXPECT_EQ(hsm_->list()->size(), before);
}

TEST_F(Scp03Test, WrapNeedsAuthenticationThenMacsAndEncrypts) {
  auto s = open("8E1552D0513C60F3",
                "00000000000000000000 3003 70 30760CD2C47C1DD3 95065FE5EAD8A9D7 000001", 0x03);
  ASSERT_TRUE(s.ok());
  const card::CommandApdu store{0x80, 0xE2, 0x80, 0x00, hex("0101 03 112233"), std::nullopt};
  EXPECT_EQ(s->wrap(store).error().code, SecureChannelError::not_authenticated);
  ASSERT_TRUE(s->external_authenticate().ok());
  auto wrapped = s->wrap(store);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->cla, 0x84);
  EXPECT_EQ(wrapped->data.size(), 16u + 8u) << "6 bytes padded to one block, plus the C-MAC";
  // Same command again: the counter and the chaining value make it differ.
  auto again = s->wrap(store);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->data, wrapped->data);
}

TEST_F(Scp03Test, ErrorStatusWordsPassUnprotectedAndBadRMacsAreRefused) {
  auto s = open("B13E5F938FC108C4",
                "00000000000000000000 3003 70 3EB51047495B249F 66C484C1D2EF1948 000002", 0x11);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->external_authenticate().ok());
  auto error_sw = s->unwrap(card::ResponseApdu{{}, card::sw::kConditionsNotSatisfied});
  ASSERT_TRUE(error_sw.ok());
  EXPECT_EQ(error_sw->sw, card::sw::kConditionsNotSatisfied);
  auto bad = s->unwrap(card::ResponseApdu{hex("0102030405060708"), card::sw::kSuccess});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, SecureChannelError::response_mac);
}

}  // namespace
}  // namespace cardd::personalization
