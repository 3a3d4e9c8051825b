// Each fault the virtual card can play, through real pcscd + vpcd, and the
// error the host sees for it.
#include <fstream>

#include "cardd/hsm/factory.h"
#include "cardd/personalization/scp03.h"
#include "cardd/vcard/virtual_card.h"
#include "pcsc_fixture.h"

namespace cardd::test {
namespace {

using card::CommandApdu;
using card::ReaderError;
const card::Bytes kIsd = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

class CardFaults : public PcscFixture {
 protected:
  Result<personalization::Scp03Session> authenticate(hsm::Hsm& h, std::uint8_t level) {
    EXPECT_TRUE(reader_->connect().ok());
    EXPECT_TRUE(reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u})->sw.ok());
    const card::Bytes challenge = {1, 1, 2, 3, 5, 8, 13, 21};
    auto iu = card::transmit_all(*reader_,
                                 personalization::Scp03Session::initialize_update(0x30, challenge));
    if (!iu) return iu.error();
    auto session =
        personalization::Scp03Session::open(h, {"enc", "mac"}, challenge, iu->data, level);
    if (!session) return session;
    auto auth = reader_->transmit(*session->external_authenticate());
    if (!auth) return auth.error();
    if (auto s = card::check(*auth, "EXTERNAL AUTHENTICATE"); !s) return s.error();
    return session;
  }

  static bool card_gone(const Error& e) {
    return e.code == ReaderError::card_removed || e.code == ReaderError::no_card;
  }
};

TEST_F(CardFaults, CardRemovedAfterNApdus) {
  insert_card({"--remove-after", "2"});
  ASSERT_TRUE(reader_->connect().ok());
  EXPECT_TRUE(reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u}).ok());
  EXPECT_TRUE(reader_->transmit(CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u}).ok());
  auto third = reader_->transmit(CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
  ASSERT_FALSE(third.ok());
  EXPECT_TRUE(card_gone(third.error())) << third.error().describe();
}

TEST_F(CardFaults, CorruptResponseMacIsASecureChannelFailure) {
  insert_card({"--corrupt-rmac"});
  auto h = card_key_hsm();
  auto session = authenticate(*h, 0x13);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  auto store =
      session->wrap(CommandApdu{0x80, 0xE2, 0x80, 0x00, {0x05, 0x01, 0x01, 0x42}, std::nullopt});
  auto answer = reader_->transmit(*store);
  ASSERT_TRUE(answer.ok());
  auto unwrapped = session->unwrap(*answer);
  ASSERT_FALSE(unwrapped.ok());
  EXPECT_EQ(unwrapped.error().code, personalization::SecureChannelError::response_mac);
}

TEST_F(CardFaults, TornWriteLeavesHalfTheDataAndNoAnswer) {
  insert_card({"--tear-store-data", "1"});
  auto h = card_key_hsm();
  auto session = authenticate(*h, 0x01);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  auto store = session->wrap(CommandApdu{
      0x80, 0xE2, 0x80, 0x00, {0x05, 0x01, 0x04, 0xAA, 0xBB, 0xCC, 0xDD}, std::nullopt});
  auto answer = reader_->transmit(*store);
  ASSERT_FALSE(answer.ok());
  EXPECT_TRUE(card_gone(answer.error())) << answer.error().describe();
  EXPECT_EQ(card_state().ssse.records[5][1], (card::Bytes{0xAA, 0xBB})) << "half of AABBCCDD";
}

// pcscd cannot wait forever for a card that stays silent (vpcd reads without
// a timeout), so vcard fails the exchange the way a reader's timeout does;
// the card stays in the slot and is told apart from a pulled one. (An
// exchange that hung instead would fail the test by its time limit.)
TEST_F(CardFaults, AMuteCardIsReportedPromptly) {
  insert_card({"--mute-after", "2"});
  ASSERT_TRUE(reader_->connect().ok());
  EXPECT_TRUE(reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u}).ok());
  EXPECT_TRUE(reader_->transmit(CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u}).ok());
  for (int i = 0; i < 2; ++i) {
    auto silent = reader_->transmit(CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
    ASSERT_FALSE(silent.ok());
    EXPECT_EQ(silent.error().code, ReaderError::mute_card) << silent.error().describe();
  }
  EXPECT_FALSE(reader_->wait_for_removal(std::chrono::milliseconds(1500)).ok())
      << "a mute card is still in the reader";
}

TEST_F(CardFaults, AFlakyEepromFailsTheReadBack) {
  insert_card({"--corrupt-read", "2"});
  auto h = card_key_hsm();
  auto session = authenticate(*h, 0x01);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  auto store =
      session->wrap(CommandApdu{0x80,
                                0xE2,
                                0x80,
                                0x00,
                                {0x05, 0x01, 0x02, 0x01, 0x11, 0x05, 0x02, 0x02, 0x02, 0x22},
                                std::nullopt});
  ASSERT_TRUE(reader_->transmit(*store)->sw.ok());
  ASSERT_TRUE(
      reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, vcard::social_security_aid(), 256u})
          ->sw.ok());
  EXPECT_EQ(reader_->transmit(CommandApdu{0x00, 0xB2, 0x01, 0x2C, {}, 256u})->data,
            (card::Bytes{0x01, 0x11}));
  EXPECT_EQ(reader_->transmit(CommandApdu{0x00, 0xB2, 0x02, 0x2C, {}, 256u})->data,
            (card::Bytes{0x02, 0x23}));
  EXPECT_EQ(card_state().ssse.records[5][2], (card::Bytes{0x02, 0x22}));
}

TEST_F(CardFaults, ASlowCardStillAnswers) {
  insert_card({"--slow-ms", "150"});
  ASSERT_TRUE(reader_->connect().ok());
  auto r = reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->sw.ok());
}

}  // namespace
}  // namespace cardd::test
