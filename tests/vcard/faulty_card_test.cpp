// The faults vcard can play, in-process: what the host sees and what the
// card's EEPROM holds afterwards.
#include "card_fixture.h"

namespace cardd::vcard::test {
namespace {

using CardFaults = CardFixture;

const Bytes kRecord1 = {0x01, 0x04, 0xAA, 0xBB, 0xCC, 0xDD};
const Bytes kRecord2 = {0x02, 0x02, 0x12, 0x34};

TEST_P(CardFaults, ATornStoreDataLeavesHalfTheRecord) {
  Faults f;
  f.tear_store_data = 2;
  insert(new_card(cipher()), f);
  ASSERT_TRUE(open_channel().ok());
  ASSERT_EQ(store(dgi(0x0501, kRecord1), 0x00, 0x00), sw::kSuccess);
  auto wrapped = channel().wrap(CommandApdu{0x80, 0xE2, 0x80, 0x01,
                                            concat({dgi(0x0502, kRecord2), dgi(0x0503, kRecord1)}),
                                            std::nullopt});
  ASSERT_TRUE(wrapped.ok());
  const auto torn = reader_->transmit(*wrapped);
  ASSERT_FALSE(torn.ok());
  EXPECT_EQ(torn.error().code, card::ReaderError::card_removed);
  const auto& records = card_->state().ssse.records.at(5);
  EXPECT_EQ(records.at(1), kRecord1);
  EXPECT_EQ(records.at(2), kRecord2) << "written before the power went";
  EXPECT_EQ(records.at(3), Bytes(kRecord1.begin(), kRecord1.begin() + 3)) << "half of it";
  // The read-back sees the difference.
  ASSERT_TRUE(reader_->connect().ok());
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  EXPECT_NE(send(CommandApdu{0x00, 0xB2, 0x03, 5 << 3 | 4, {}, 256u}).data, kRecord1);
}

TEST_P(CardFaults, AFlakyEepromCorruptsOneRecordsReads) {
  CardState state = new_card(cipher());
  state.ssse.records[5] = {{1, kRecord1}, {2, kRecord2}};
  Faults f;
  f.corrupt_read = 2;
  insert(std::move(state), f);
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  EXPECT_EQ(send(CommandApdu{0x00, 0xB2, 0x01, 5 << 3 | 4, {}, 256u}).data, kRecord1);
  Bytes corrupted = kRecord2;
  corrupted.back() ^= 0x01;
  EXPECT_EQ(send(CommandApdu{0x00, 0xB2, 0x02, 5 << 3 | 4, {}, 256u}).data, corrupted);
  EXPECT_EQ(send(CommandApdu{0x00, 0xB2, 0x02, 5 << 3, {}, 256u}).data, corrupted)
      << "by tag 02 too";
  EXPECT_EQ(card_->state().ssse.records.at(5).at(2), kRecord2) << "the EEPROM holds the truth";
}

TEST_P(CardFaults, AWrongInternalAuthenticationFailsTheKeyCheck) {
  Faults f;
  f.wrong_internal_auth = true;
  insert(new_card(cipher()), f);
  ASSERT_TRUE(open_channel().ok());
  ASSERT_EQ(store(dgi(0x8101, new_application_key("app/ia")), 0xE0), sw::kSuccess);
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  const Bytes challenge(block(), 0x5C);
  const auto answer = send(CommandApdu{0x00, 0x88, 0x00, 0x01, challenge, 256u});
  ASSERT_EQ(answer.sw, sw::kSuccess);
  auto expected = hsm_->encrypt("app/ia", hsm::CipherMode::ecb, {}, challenge);
  ASSERT_TRUE(expected.ok());
  EXPECT_NE(answer.data, *expected);
  Bytes repaired = answer.data;
  repaired[0] ^= 0x01;
  EXPECT_EQ(repaired, *expected) << "only the first byte is wrong";
}

TEST_P(CardFaults, AMuteCardNeverAnswersAgain) {
  Faults f;
  f.mute_after = 2;
  insert(new_card(cipher()), f);
  EXPECT_TRUE(select(social_security_aid()).sw.ok());
  EXPECT_TRUE(select(financial_aid()).sw.ok());
  for (int i = 0; i < 3; ++i) {
    const auto r = reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, financial_aid(), 256u});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, card::ReaderError::mute_card);
  }
}

TEST_P(CardFaults, APulledCardIsGone) {
  Faults f;
  f.remove_after = 1;
  insert(new_card(cipher()), f);
  EXPECT_TRUE(select(social_security_aid()).sw.ok());
  const auto r = reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, financial_aid(), 256u});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, card::ReaderError::card_removed);
}

INSTANTIATE_TEST_SUITE_P(Ciphers, CardFaults, ::testing::Values(Cipher::aes, Cipher::des3),
                         cipher_name);

}  // namespace
}  // namespace cardd::vcard::test
