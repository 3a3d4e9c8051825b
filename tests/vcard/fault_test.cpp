// Each fault the virtual card can play, through real pcscd + vpcd, and the
// error the host sees for it.
#include <fstream>

#include "cardd/hsm/factory.h"
#include "cardd/personalization/scp03.h"
#include "pcsc_fixture.h"

namespace cardd::test {
namespace {

using personalization::CommandApdu;
using personalization::ReaderError;
const personalization::Bytes kIsd = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

class CardFaults : public PcscFixture {
 protected:
  Result<personalization::Scp03Session> authenticate(hsm::Hsm& h, std::uint8_t level) {
    EXPECT_TRUE(reader_->connect().ok());
    EXPECT_TRUE(reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u})->sw.ok());
    const personalization::Bytes challenge = {1, 1, 2, 3, 5, 8, 13, 21};
    auto iu = personalization::transmit_all(
        *reader_, personalization::Scp03Session::initialize_update(0x30, challenge));
    if (!iu) return iu.error();
    auto session =
        personalization::Scp03Session::open(h, {"enc", "mac"}, challenge, iu->data, level);
    if (!session) return session;
    auto auth = reader_->transmit(*session->external_authenticate());
    if (!auth) return auth.error();
    if (auto s = personalization::check(*auth, "EXTERNAL AUTHENTICATE"); !s) return s.error();
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
      session->wrap(CommandApdu{0x80, 0xE2, 0x80, 0x00, {0x01, 0x01, 0x01, 0x42}, std::nullopt});
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
      0x80, 0xE2, 0x80, 0x00, {0x01, 0x01, 0x04, 0xAA, 0xBB, 0xCC, 0xDD}, std::nullopt});
  auto answer = reader_->transmit(*store);
  ASSERT_FALSE(answer.ok());
  EXPECT_TRUE(card_gone(answer.error())) << answer.error().describe();
  std::ifstream in(dir_.path() / "card.json");
  const std::string state((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(state.find("\"0101\": \"AABB\""), std::string::npos) << "half of AABBCCDD: " << state;
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
