// The host's SCP03 (keys in the soft HSM) against the virtual card's own,
// independently written SCP03, through the in-process reader.
#include <gtest/gtest.h>

#include "../hsm/softhsm_token.h"
#include "cardd/hsm/factory.h"
#include "cardd/personalization/scp03.h"
#include "cardd/vcard/virtual_card.h"
#include "child_process.h"
#include "soft_hsm.h"

namespace cardd::vcard {
namespace {

using card::CommandApdu;
using personalization::Scp03Keys;
using personalization::Scp03Session;
namespace sw = card::sw;

const card::Bytes kEnc = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
                          0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F};
const card::Bytes kMac = {0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
                          0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F};

class SecureChannel : public ::testing::Test {
 protected:
  void SetUp() override {
    hsm_ = test::open_soft_hsm(dir_.path());
    ASSERT_NE(hsm_, nullptr);
    import("card/enc", kEnc);
    import("card/mac", kMac);
    CardState state;
    state.serial = {0x12, 0x34, 0x56, 0x78};
    state.keys = StaticKeys{Cipher::aes, kEnc, kMac, kMac, 0x30};
    card_ = std::make_unique<VirtualCard>(std::move(state));
    reader_ = std::make_unique<InProcessReader>(*card_);
    ASSERT_TRUE(reader_->connect().ok());
  }

  void import(const std::string& name, const card::Bytes& value) {
    test::import_clear_key(
        *hsm_, hsm::KeySpec{name, hsm::Algorithm::aes128, {hsm::Usage::derive}, 1}, value);
  }

  card::ResponseApdu send(const card::CommandApdu& c) {
    auto r = reader_->transmit(c);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : card::ResponseApdu{};
  }

  // SELECT, INITIALIZE UPDATE, EXTERNAL AUTHENTICATE.
  Result<Scp03Session> authenticate(std::uint8_t level, const std::string& mac_key = "card/mac") {
    EXPECT_TRUE(
        send(card::CommandApdu{0x00, 0xA4, 0x04, 0x00, {0xA0, 0, 0, 1, 0x51, 0, 0, 0}, 256u})
            .sw.ok());
    const card::Bytes host_challenge = {1, 2, 3, 4, 5, 6, 7, 8};
    const auto iu = send(Scp03Session::initialize_update(0x30, host_challenge));
    if (!iu.sw.ok())
      return make_error(personalization::SecureChannelError::bad_response, iu.sw.to_string());
    auto session =
        Scp03Session::open(*hsm_, Scp03Keys{"card/enc", mac_key}, host_challenge, iu.data, level);
    if (!session) return session;
    auto auth = session->external_authenticate();
    if (!auth) return auth.error();
    const auto answer = send(*auth);
    if (auto s = card::check(answer, "EXTERNAL AUTHENTICATE"); !s) return s.error();
    return session;
  }

  test::TempDir dir_;
  std::unique_ptr<hsm::Hsm> hsm_;
  std::unique_ptr<VirtualCard> card_;
  std::unique_ptr<InProcessReader> reader_;
};

TEST_F(SecureChannel, CplcCarriesTheChipSerial) {
  const auto r = send(card::CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
  ASSERT_TRUE(r.sw.ok());
  ASSERT_EQ(r.data.size(), 45u);
  EXPECT_EQ(card::Bytes(r.data.begin() + 15, r.data.begin() + 19),
            (card::Bytes{0x12, 0x34, 0x56, 0x78}));
}

TEST_F(SecureChannel, FullProtectionRoundTripStoresData) {
  auto session = authenticate(0x33);  // C-MAC, C-DEC, R-MAC, R-ENC
  ASSERT_TRUE(session.ok()) << session.error().describe();
  for (int i = 0; i < 3; ++i) {
    const card::Bytes dgi = {0x05, static_cast<std::uint8_t>(0x01 + i), 0x04, 0xDE, 0xAD,
                             0xBE, static_cast<std::uint8_t>(i)};
    auto wrapped =
        session->wrap(card::CommandApdu{0x80, 0xE2, static_cast<std::uint8_t>(i == 2 ? 0x80 : 0x00),
                                        static_cast<std::uint8_t>(i), dgi, std::nullopt});
    ASSERT_TRUE(wrapped.ok());
    auto answer = session->unwrap(send(*wrapped));
    ASSERT_TRUE(answer.ok()) << answer.error().describe();
    EXPECT_TRUE(answer->sw.ok()) << answer->sw.to_string();
  }
  const auto& stored = card_->state().ssse.records.at(5);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored.at(3), (card::Bytes{0xDE, 0xAD, 0xBE, 0x02}));
}

TEST_F(SecureChannel, ASecuredCardStillOpensAChannel) {
  auto session = authenticate(0x01);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  auto lock = session->wrap(card::CommandApdu{0x80, 0xF0, 0x80, 0x0F, {}, std::nullopt});
  ASSERT_TRUE(send(*lock).sw.ok());
  EXPECT_EQ(card_->state().life_cycle, LifeCycle::secured);
  auto again = authenticate(0x03);
  ASSERT_TRUE(again.ok()) << again.error().describe();
}

TEST_F(SecureChannel, WrongHostKeysFailTheCardCryptogram) {
  import("other/mac", card::Bytes(16, 0x77));
  auto session = authenticate(0x01, "other/mac");
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, personalization::SecureChannelError::card_cryptogram);
}

TEST_F(SecureChannel, ATamperedMacIsRefusedAndEndsTheSession) {
  auto session = authenticate(0x01);
  ASSERT_TRUE(session.ok());
  auto wrapped = session->wrap(
      card::CommandApdu{0x80, 0xE2, 0x80, 0x00, {0x05, 0x01, 0x01, 0xAA}, std::nullopt});
  wrapped->data.back() ^= 0x01;
  EXPECT_EQ(send(*wrapped).sw, card::sw::kSecurityNotSatisfied);
  auto next = session->wrap(
      card::CommandApdu{0x80, 0xE2, 0x80, 0x01, {0x05, 0x01, 0x01, 0xAA}, std::nullopt});
  EXPECT_EQ(send(*next).sw, card::sw::kSecurityNotSatisfied);
  EXPECT_TRUE(card_->state().ssse.records.empty());
}

TEST_F(SecureChannel, StoreDataWithoutASecureChannelIsRefused) {
  ASSERT_TRUE(send(card::CommandApdu{0x00, 0xA4, 0x04, 0x00, {0xA0, 0, 0, 1, 0x51, 0, 0, 0}, 256u})
                  .sw.ok());
  EXPECT_EQ(
      send(card::CommandApdu{0x80, 0xE2, 0x80, 0x00, {0x01, 0x01, 0x01, 0xAA}, std::nullopt}).sw,
      card::sw::kSecurityNotSatisfied);
  EXPECT_EQ(send(card::CommandApdu{0x80, 0x99, 0x00, 0x00, {}, std::nullopt}).sw,
            card::sw::kInsNotSupported);
  EXPECT_EQ(send(card::CommandApdu{0xA0, 0xA4, 0x04, 0x00, {}, std::nullopt}).sw,
            card::sw::kClaNotSupported);
}

}  // namespace
}  // namespace cardd::vcard

namespace cardd::vcard {
namespace {

// The national-algorithm variant: the same SCP03 construction with SM4 on
// both sides (host keys in the soft HSM, the card's own SM4).
TEST(SecureChannelSm4, FullProtectionRoundTrip) {
  test::TempDir dir;
  auto h = test::open_soft_hsm(dir.path());
  ASSERT_NE(h, nullptr);
  const card::Bytes enc(16, 0x3C), mac(16, 0x5D);
  for (const auto& [name, value] : {std::pair{"sm4/enc", enc}, std::pair{"sm4/mac", mac}})
    test::import_clear_key(*h, hsm::KeySpec{name, hsm::Algorithm::sm4, {hsm::Usage::derive}, 1},
                           value);
  CardState state;
  state.keys = StaticKeys{Cipher::sm4, enc, mac, mac, 0x30};
  VirtualCard card(std::move(state));
  InProcessReader reader(card);
  ASSERT_TRUE(reader.connect().ok());
  ASSERT_TRUE(
      reader
          .transmit(card::CommandApdu{0x00, 0xA4, 0x04, 0x00, {0xA0, 0, 0, 1, 0x51, 0, 0, 0}, 256u})
          ->sw.ok());
  const card::Bytes challenge = {7, 7, 7, 7, 7, 7, 7, 7};
  auto iu = reader.transmit(Scp03Session::initialize_update(0x30, challenge));
  ASSERT_TRUE(iu.ok() && iu->sw.ok());
  auto session = Scp03Session::open(*h, Scp03Keys{"sm4/enc", "sm4/mac"}, challenge, iu->data, 0x33);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  ASSERT_TRUE(reader.transmit(*session->external_authenticate())->sw.ok());
  auto store = session->wrap(card::CommandApdu{
      0x80, 0xE2, 0x80, 0x00, {0x06, 0x01, 0x03, 0x11, 0x22, 0x33}, std::nullopt});
  auto answer = session->unwrap(*reader.transmit(*store));
  ASSERT_TRUE(answer.ok()) << answer.error().describe();
  EXPECT_TRUE(answer->sw.ok());
  EXPECT_EQ(card.state().ssse.records.at(6).at(1), (card::Bytes{0x11, 0x22, 0x33}));
}

}  // namespace
}  // namespace cardd::vcard

#include "cardd/personalization/scp02.h"

namespace cardd::vcard {
namespace {

// SCP02 host (HSM) against the card's own SCP02, i = 15 and 55, with and
// without C-DECRYPTION.
class SecureChannelScp02 : public ::testing::TestWithParam<std::pair<std::uint8_t, std::uint8_t>> {
};

// GlobalPlatform's default key 404142…4F as the card's static ENC, MAC and
// DEK: in `h` (usage derive) and on a virtual card with option `i`.
const card::Bytes kGpDefaultKey = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
                                   0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F};

void import_static_keys(hsm::Hsm& h) {
  for (const char* name : {"enc", "mac", "dek"})
    test::import_clear_key(
        h, hsm::KeySpec{name, hsm::Algorithm::des3_2key, {hsm::Usage::derive}, 1}, kGpDefaultKey);
}

CardState scp02_card(std::uint8_t i) {
  CardState state;
  state.keys = StaticKeys{Cipher::des3, kGpDefaultKey, kGpDefaultKey, kGpDefaultKey, 0x20, i};
  return state;
}

// SELECT the card manager, INITIALIZE UPDATE, and the host's side opened.
Result<personalization::Scp02Session> open_scp02(hsm::Hsm& h, card::Reader& reader,
                                                 std::uint8_t level, std::uint8_t i) {
  EXPECT_TRUE(
      reader
          .transmit(card::CommandApdu{0x00, 0xA4, 0x04, 0x00, {0xA0, 0, 0, 1, 0x51, 0, 0, 0}, 256u})
          ->sw.ok());
  const card::Bytes challenge = {1, 2, 3, 4, 5, 6, 7, 8};
  auto iu = reader.transmit(personalization::Scp02Session::initialize_update(0x20, challenge));
  EXPECT_TRUE(iu.ok() && iu->sw.ok());
  if (!iu.ok()) return iu.error();
  return personalization::Scp02Session::open(h, {"enc", "mac", "dek"}, challenge, iu->data, level,
                                             i);
}

// Opens the channel and sends three STORE DATA under it.
void store_data_round_trip(hsm::Hsm& h, std::uint8_t i, std::uint8_t level) {
  import_static_keys(h);
  VirtualCard card(scp02_card(i));
  InProcessReader reader(card);
  ASSERT_TRUE(reader.connect().ok());
  auto session = open_scp02(h, reader, level, i);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  ASSERT_TRUE(reader.transmit(*session->external_authenticate())->sw.ok());
  for (std::uint8_t n = 0; n < 3; ++n) {
    auto store =
        session->wrap(card::CommandApdu{0x80,
                                        0xE2,
                                        0x00,
                                        n,
                                        {0x05, static_cast<std::uint8_t>(n + 1), 0x02, 0xC0, n},
                                        std::nullopt});
    ASSERT_TRUE(store.ok());
    EXPECT_TRUE(reader.transmit(*store)->sw.ok()) << "command " << int{n};
  }
  EXPECT_EQ(card.state().ssse.records.at(5).at(3), (card::Bytes{0xC0, 0x02}));
}

TEST_P(SecureChannelScp02, RoundTrip) {
  test::TempDir dir;
  auto h = test::open_soft_hsm(dir.path());
  ASSERT_NE(h, nullptr);
  store_data_round_trip(*h, GetParam().first, GetParam().second);
}

// The same channel with the keys in a SoftHSM2 token: derivations, cryptograms
// and C-DECRYPTION in the token; the C-MAC (ISO 9797-1 algorithm 3) and the
// ICV encryption composed from token operations on derived session objects.
TEST_P(SecureChannelScp02, RoundTripThroughSoftHsm2) {
  test::SoftHsmToken token;
  auto h = hsm::open_hsm(token.hsm_config());
  ASSERT_TRUE(h.ok()) << h.error().describe();
  store_data_round_trip(**h, GetParam().first, GetParam().second);
}

INSTANTIATE_TEST_SUITE_P(Options, SecureChannelScp02,
                         ::testing::Values(std::pair<std::uint8_t, std::uint8_t>{0x55, 0x01},
                                           std::pair<std::uint8_t, std::uint8_t>{0x55, 0x03},
                                           std::pair<std::uint8_t, std::uint8_t>{0x15, 0x01},
                                           std::pair<std::uint8_t, std::uint8_t>{0x15, 0x03}));

}  // namespace
}  // namespace cardd::vcard

namespace cardd::vcard {
namespace {

TEST_F(SecureChannel, PersonalizedRecordsAreReadThroughTheApplication) {
  const card::CommandApdu select_app{0x00, 0xA4, 0x04, 0x00, social_security_aid(), 256u};
  ASSERT_EQ(send(select_app).sw, card::sw::kSuccess)
      << "the application exists before personalization";
  EXPECT_EQ(send(card::CommandApdu{0x00, 0xB2, 0x01, 0x2C, {}, 256u}).sw,
            card::sw::kRecordNotFound);
  auto session = authenticate(0x03);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  // DGI 0501 and 0502: SFI 5 (EF05), records 1 and 2 (EMV CPS convention).
  const card::Bytes dgis = {0x05, 0x01, 0x03, 0x5F, 0x20, 0x00, 0x05, 0x02, 0x02, 0xAB, 0xCD};
  ASSERT_TRUE(
      send(*session->wrap(card::CommandApdu{0x80, 0xE2, 0x80, 0x00, dgis, std::nullopt})).sw.ok());
  ASSERT_TRUE(
      send(*session->wrap(card::CommandApdu{0x80, 0xF0, 0x80, 0x0F, {}, std::nullopt})).sw.ok());
  ASSERT_TRUE(send(select_app).sw.ok());
  const auto record2 = send(card::CommandApdu{0x00, 0xB2, 0x02, 0x2C, {}, 256u});
  ASSERT_TRUE(record2.sw.ok());
  EXPECT_EQ(record2.data, (card::Bytes{0xAB, 0xCD}));
  EXPECT_EQ(send(card::CommandApdu{0x00, 0xB2, 0x03, 0x2C, {}, 256u}).sw,
            card::sw::kRecordNotFound);
  EXPECT_EQ(send(card::CommandApdu{0x00, 0xB2, 0x01, 0x2D, {}, 256u}).sw, card::sw::kIncorrectP1P2);
}

}  // namespace
}  // namespace cardd::vcard
