// The card manager's retry limit: wrong cryptograms or MACs in EXTERNAL
// AUTHENTICATE count, a success clears the count, and at the limit the keys
// are blocked for good — across power cycles.
#include "card_fixture.h"
#include "cardd/vcard/state_file.h"

namespace cardd::vcard::test {
namespace {

class AuthLimit : public CardFixture {
 protected:
  // INITIALIZE UPDATE, then an EXTERNAL AUTHENTICATE with one bit flipped
  // in the host cryptogram (`at` = 0) or in its C-MAC (`at` = 15).
  StatusWord failed_authentication(std::size_t at) {
    EXPECT_TRUE(select(card_manager_aid()).sw.ok());
    const Bytes challenge = {8, 7, 6, 5, 4, 3, 2, 1};
    const std::uint8_t kvn = cipher() == Cipher::des3 ? kScp02KeyVersion : kScp03KeyVersion;
    const auto iu = send(personalization::initialize_update_command(kvn, challenge));
    if (!iu.sw.ok()) return iu.sw;
    Result<CommandApdu> auth = make_error(personalization::SecureChannelError::bad_response, "");
    if (cipher() == Cipher::des3) {
      auto s = personalization::Scp02Session::open(*hsm_, {"card/enc", "card/mac", "card/dek"},
                                                   challenge, iu.data, 0x01);
      if (!s) return StatusWord{};
      auth = s->external_authenticate();
    } else {
      auto s = personalization::Scp03Session::open(*hsm_, {"card/enc", "card/mac"}, challenge,
                                                   iu.data, 0x01);
      if (!s) return StatusWord{};
      auth = s->external_authenticate();
    }
    if (!auth) return StatusWord{};
    auth->data[at] ^= 0x01;
    return send(*auth).sw;
  }

  StatusWord initialize_update() {
    EXPECT_TRUE(select(card_manager_aid()).sw.ok());
    return send(personalization::initialize_update_command(0, Bytes(8, 0x33))).sw;
  }
};

TEST_P(AuthLimit, FailuresCountASuccessClearsThem) {
  EXPECT_EQ(failed_authentication(0), StatusWord(0x6300));
  EXPECT_EQ(failed_authentication(15), sw::kSecurityNotSatisfied);
  EXPECT_EQ(card_->state().auth_failures, 2);
  ASSERT_TRUE(open_channel().ok());
  EXPECT_EQ(card_->state().auth_failures, 0);
}

TEST_P(AuthLimit, AtTheLimitTheKeysAreBlockedForGood) {
  CardState state = new_card(cipher());
  state.auth_limit = 3;
  insert(std::move(state));
  for (int i = 0; i < 3; ++i) ASSERT_NE(failed_authentication(i % 2 == 0 ? 0 : 15), sw::kSuccess);
  EXPECT_EQ(initialize_update(), sw::kAuthenticationBlocked);
  const auto opened = open_channel();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(card::status_of(opened.error()), sw::kAuthenticationBlocked);

  // A power cycle and a restart of the simulator give no tries back.
  std::string error;
  const std::string path = (dir_.path() / "card.json").string();
  ASSERT_TRUE(save_state(path, card_->state(), error)) << error;
  auto loaded = load_state(path, error);
  ASSERT_TRUE(loaded) << error;
  insert(std::move(*loaded));
  EXPECT_EQ(initialize_update(), sw::kAuthenticationBlocked);
  // The applications still answer.
  EXPECT_TRUE(select(social_security_aid()).sw.ok());
}

TEST_P(AuthLimit, AFailedAuthenticationEndsTheSession) {
  EXPECT_EQ(failed_authentication(0), StatusWord(0x6300));
  // The same INITIALIZE UPDATE does not allow a second guess.
  EXPECT_EQ(send(CommandApdu{0x84, 0x82, 0x01, 0x00, Bytes(16, 0), std::nullopt}).sw,
            sw::kConditionsNotSatisfied);
}

TEST_P(AuthLimit, SelectingAnApplicationEndsTheChannel) {
  ASSERT_TRUE(open_channel().ok());
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  ASSERT_TRUE(select(card_manager_aid()).sw.ok());
  auto wrapped =
      channel().wrap(CommandApdu{0x80, 0xE2, 0x80, 0x00, dgi(0x0501, {0x01, 0x00}), std::nullopt});
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(send(*wrapped).sw, sw::kSecurityNotSatisfied);
  EXPECT_TRUE(card_->state().ssse.records.empty());
}

INSTANTIATE_TEST_SUITE_P(Ciphers, AuthLimit, ::testing::Values(Cipher::aes, Cipher::des3),
                         cipher_name);

}  // namespace
}  // namespace cardd::vcard::test
