// VERIFY against the stored PIN: try counter, blocking, and the counter's
// persistence through the state file (a power cycle must not give tries back).
#include <gtest/gtest.h>

#include <fstream>

#include "cardd/card/apdu.h"
#include "cardd/vcard/state_file.h"
#include "cardd/vcard/virtual_card.h"
#include "child_process.h"

namespace cardd::vcard {
namespace {

using card::CommandApdu;
using card::StatusWord;
namespace sw = card::sw;

CardState card_with_pin(Bytes digits, std::uint8_t limit) {
  CardState s;
  s.ssse.pin = Pin{std::move(digits), limit, limit};
  return s;
}

class PinTest : public ::testing::Test {
 protected:
  void insert(CardState s) {
    card_ = std::make_unique<VirtualCard>(std::move(s));
    reader_ = std::make_unique<InProcessReader>(*card_);
    ASSERT_TRUE(reader_->connect().ok());
    ASSERT_TRUE(reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, social_security_aid(), 256u})
                    ->sw.ok());
  }
  StatusWord verify(const Bytes& bcd) {
    const auto r = reader_->transmit(CommandApdu{0x00, 0x20, 0x00, 0x00, bcd, std::nullopt});
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->sw : StatusWord{};
  }

  std::unique_ptr<VirtualCard> card_;
  std::unique_ptr<InProcessReader> reader_;
};

TEST_F(PinTest, WrongRightAndBlocked) {
  insert(card_with_pin({1, 2, 3, 4}, 3));
  EXPECT_EQ(verify({}), StatusWord(0x63C3));
  EXPECT_EQ(verify({0x12, 0x35}), StatusWord(0x63C2));
  EXPECT_EQ(verify({0x12, 0x34}), sw::kSuccess);
  EXPECT_EQ(verify({}), sw::kSuccess) << "verified in this session";
  EXPECT_EQ(card_->state().ssse.pin->tries, 3) << "the right PIN resets the counter";
  EXPECT_EQ(verify({0x43, 0x21}), StatusWord(0x63C2));
  EXPECT_EQ(verify({}), StatusWord(0x63C2)) << "a wrong PIN ends the verification";
  EXPECT_EQ(verify({0x12, 0x3F}), StatusWord(0x63C1)) << "123 is not 1234";
  EXPECT_EQ(verify({0x12, 0x34, 0x5F}), StatusWord(0x63C0));
  EXPECT_EQ(verify({0x12, 0x34}), sw::kAuthenticationBlocked) << "blocked, even the right PIN";
  EXPECT_EQ(verify({}), sw::kAuthenticationBlocked);
}

TEST_F(PinTest, OddLengthPinsArePaddedWithF) {
  insert(card_with_pin({9, 8, 7, 6, 5}, 3));
  EXPECT_EQ(verify({0x98, 0x76, 0x5F}), sw::kSuccess);
  EXPECT_EQ(verify({0x98, 0x76, 0x50}), StatusWord(0x63C2)) << "98765 0 is six digits";
}

TEST_F(PinTest, MalformedPinsAreRefusedWithoutATry) {
  insert(card_with_pin({1, 2, 3, 4}, 3));
  EXPECT_EQ(verify({0x1A, 0x34}), sw::kWrongData);
  EXPECT_EQ(verify({0xF1, 0x23}), sw::kWrongData);
  EXPECT_EQ(verify(Bytes(7, 0x11)), sw::kWrongData) << "more than 12 digits";
  EXPECT_EQ(verify({}), StatusWord(0x63C3));
  EXPECT_EQ(reader_->transmit(CommandApdu{0x00, 0x20, 0x00, 0x81, {0x12, 0x34}, std::nullopt})->sw,
            sw::kReferencedDataNotFound);
}

TEST_F(PinTest, NoPinNoVerification) {
  insert(CardState{});
  EXPECT_EQ(verify({0x12, 0x34}), sw::kReferenceDataNotUsable);
  EXPECT_EQ(verify({}), sw::kReferenceDataNotUsable);
}

TEST_F(PinTest, ResetEndsTheVerification) {
  insert(card_with_pin({1, 2, 3, 4}, 3));
  ASSERT_EQ(verify({0x12, 0x34}), sw::kSuccess);
  ASSERT_TRUE(reader_->connect().ok());
  ASSERT_TRUE(
      reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, social_security_aid(), 256u})->sw.ok());
  EXPECT_EQ(verify({}), StatusWord(0x63C3));
}

TEST_F(PinTest, TheCounterSurvivesAPowerCycle) {
  cardd::test::TempDir dir;
  const std::string path = (dir.path() / "card.json").string();
  insert(card_with_pin({1, 2, 3, 4}, 3));
  const auto before = card_->generation();
  ASSERT_EQ(verify({0x00, 0x00}), StatusWord(0x63C2));
  EXPECT_GT(card_->generation(), before) << "the owner must know to save";
  std::string error;
  ASSERT_TRUE(save_state(path, card_->state(), error)) << error;
  auto loaded = load_state(path, error);
  ASSERT_TRUE(loaded) << error;
  insert(std::move(*loaded));
  EXPECT_EQ(verify({}), StatusWord(0x63C2));
  EXPECT_EQ(verify({0x00, 0x00}), StatusWord(0x63C1));
  EXPECT_EQ(verify({0x00, 0x00}), StatusWord(0x63C0));
  ASSERT_TRUE(save_state(path, card_->state(), error)) << error;
  loaded = load_state(path, error);
  ASSERT_TRUE(loaded) << error;
  insert(std::move(*loaded));
  EXPECT_EQ(verify({0x12, 0x34}), sw::kAuthenticationBlocked);
}

TEST(StateFile, EverythingSurvivesASaveAndLoad) {
  cardd::test::TempDir dir;
  const std::string path = (dir.path() / "card.json").string();
  CardState s;
  s.serial = {0xDE, 0xAD, 0xBE, 0xEF};
  s.keys = StaticKeys{Cipher::des3, Bytes(16, 1), Bytes(16, 2), Bytes(16, 3), 0x20, 0x15};
  s.life_cycle = LifeCycle::secured;
  s.sequence = 77;
  s.auth_failures = 4;
  s.auth_limit = 6;
  s.ssse.records[5][1] = {0x01, 0x02};
  s.ssse.records[7][254] = {0x7F, 0x2E};
  s.ssse.binaries[8] = Bytes(1000, 0xA5);
  s.ssse.keys[1] = Bytes(16, 0x3C);
  s.ssse.pin = Pin{{0, 1, 2, 3, 4, 5}, 5, 2};
  s.fin.records[2][3] = {0x57, 0x01};
  std::string error;
  ASSERT_TRUE(save_state(path, s, error)) << error;
  const auto loaded = load_state(path, error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(loaded->serial, s.serial);
  EXPECT_EQ(loaded->keys.cipher, Cipher::des3);
  EXPECT_EQ(loaded->keys.enc, s.keys.enc);
  EXPECT_EQ(loaded->keys.mac, s.keys.mac);
  EXPECT_EQ(loaded->keys.dek, s.keys.dek);
  EXPECT_EQ(loaded->keys.version, 0x20);
  EXPECT_EQ(loaded->keys.scp02_i, 0x15);
  EXPECT_EQ(loaded->life_cycle, LifeCycle::secured);
  EXPECT_EQ(loaded->sequence, 77u);
  EXPECT_EQ(loaded->auth_failures, 4);
  EXPECT_EQ(loaded->auth_limit, 6);
  EXPECT_TRUE(loaded->ssse == s.ssse);
  EXPECT_TRUE(loaded->fin == s.fin);
}

TEST(StateFile, AnOldLayoutIsRefusedWithAReason) {
  cardd::test::TempDir dir;
  const std::string path = (dir.path() / "old.json").string();
  std::ofstream(path) << R"({"serial": "00000001", "dgis": {}})";
  std::string error;
  EXPECT_FALSE(load_state(path, error));
  EXPECT_NE(error.find("older vcard"), std::string::npos) << error;
}

}  // namespace
}  // namespace cardd::vcard
