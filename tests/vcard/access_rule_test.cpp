// What reading and updating a file take, as the profile set it: free, the
// PIN, a key the terminal proves (GET CHALLENGE, EXTERNAL AUTHENTICATE) or
// never. The state is built directly; the terminal's cryptogram is computed
// here with plain OpenSSL (reference_crypto.h), apart from the card's code.
#include <gtest/gtest.h>

#include "cardd/card/apdu.h"
#include "cardd/vcard/virtual_card.h"
#include "hex.h"
#include "reference_crypto.h"

namespace cardd::vcard {
namespace {

using card::CommandApdu;
using card::ResponseApdu;
using card::StatusWord;
using cardd::test::hex;
namespace sw = card::sw;
using Kind = AccessCondition::Kind;

const Bytes kReadingKey = hex("2B7E151628AED2A6ABF7158809CF4F3C");
const Bytes kMaintenanceKey = hex("000102030405060708090A0B0C0D0E0F");
const Bytes kCardNumber = hex("07 09 42 30 30 30 31 32 33 34 35");
const Bytes kName = hex("09 04 D5 C5 C8 FD");
const Bytes kBirthDate = hex("0D 04 19 49 12 31");

class AccessRules : public ::testing::Test {
 protected:
  AccessRules() : card_(state()), reader_(card_) {
    EXPECT_TRUE(reader_.connect().ok());
    EXPECT_TRUE(select_ssse().sw.ok());
  }

  static CardState state() {
    CardState s;
    s.keys = StaticKeys{Cipher::aes, Bytes(16, 0x40), Bytes(16, 0x41), Bytes(16, 0x42)};
    s.ssse.records[5] = {{7, kCardNumber}};
    s.ssse.records[6] = {{2, kName}, {7, kBirthDate}};
    s.ssse.binaries[8] = hex("FF D8 FF D9");
    s.ssse.keys = {{0x0A, kReadingKey}, {0x05, kMaintenanceKey}};
    s.ssse.pin = Pin{{1, 2, 3, 4}, 3, 3};
    s.ssse.access[5] = {{Kind::free, 0}, {Kind::key, 0x05}};
    s.ssse.access[6] = {{Kind::key, 0x0A}, {Kind::key, 0x05}};
    s.ssse.access[8] = {{Kind::pin, 0}, {Kind::never, 0}};
    return s;
  }

  ResponseApdu send(const CommandApdu& c) {
    auto r = reader_.transmit(c);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ResponseApdu{};
  }
  ResponseApdu select_ssse() {
    return send(CommandApdu{0x00, 0xA4, 0x04, 0x00, social_security_aid(), 256u});
  }
  ResponseApdu read_record(std::uint8_t p1, std::uint8_t p2) {
    return send(CommandApdu{0x00, 0xB2, p1, p2, {}, 256u});
  }
  ResponseApdu update_record(std::uint8_t p1, std::uint8_t p2, const Bytes& record) {
    return send(CommandApdu{0x00, 0xDC, p1, p2, record, std::nullopt});
  }
  Bytes challenge() {
    const auto r = send(CommandApdu{0x00, 0x84, 0x00, 0x00, {}, 8u});
    EXPECT_EQ(r.sw, sw::kSuccess);
    EXPECT_EQ(r.data.size(), 8u);
    return r.data;
  }
  // The terminal's cryptogram: the challenge, 00-padded to the block, under the key.
  StatusWord authenticate(std::uint8_t reference, const Bytes& key) {
    Bytes block = challenge();
    block.resize(16, 0x00);
    return send(CommandApdu{0x00, 0x82, 0x00, reference, test::reference::aes_block(key, block),
                            std::nullopt})
        .sw;
  }

  VirtualCard card_;
  InProcessReader reader_;
};

TEST_F(AccessRules, AFreeFileReadsButItsUpdateTakesTheMaintenanceKey) {
  EXPECT_EQ(read_record(0x07, 5 << 3).data, kCardNumber);
  const Bytes changed = hex("07 09 42 30 30 30 31 32 33 34 36");
  EXPECT_EQ(update_record(0x07, 5 << 3, changed).sw, sw::kSecurityNotSatisfied);
  ASSERT_EQ(authenticate(0x05, kMaintenanceKey), sw::kSuccess);
  EXPECT_EQ(update_record(0x07, 5 << 3, changed).sw, sw::kSuccess);
  EXPECT_EQ(read_record(0x07, 5 << 3).data, changed);
  EXPECT_EQ(card_.state().ssse.records.at(5).at(7), changed);
}

TEST_F(AccessRules, TheHoldersFileOpensOnlyToTheReadingKey) {
  EXPECT_EQ(read_record(0x09, 6 << 3).sw, sw::kSecurityNotSatisfied);
  EXPECT_EQ(read_record(7, 6 << 3 | 4).sw, sw::kSecurityNotSatisfied);
  // No challenge yet, an unknown key, a challenge of another length.
  EXPECT_EQ(send(CommandApdu{0x00, 0x82, 0x00, 0x0A, Bytes(16, 0), std::nullopt}).sw,
            sw::kConditionsNotSatisfied);
  EXPECT_EQ(send(CommandApdu{0x00, 0x84, 0x00, 0x00, {}, 4u}).sw, sw::kWrongLength);
  (void)challenge();
  EXPECT_EQ(send(CommandApdu{0x00, 0x82, 0x00, 0x0B, Bytes(16, 0), std::nullopt}).sw,
            sw::kReferencedDataNotFound);
  // A wrong key: refused, and that challenge is spent.
  EXPECT_EQ(authenticate(0x0A, kMaintenanceKey), StatusWord(0x6300));
  EXPECT_EQ(send(CommandApdu{0x00, 0x82, 0x00, 0x0A, Bytes(16, 0), std::nullopt}).sw,
            sw::kConditionsNotSatisfied);
  EXPECT_EQ(read_record(0x09, 6 << 3).sw, sw::kSecurityNotSatisfied);
  // The maintenance key proves itself but is not the reading key.
  ASSERT_EQ(authenticate(0x05, kMaintenanceKey), sw::kSuccess);
  EXPECT_EQ(read_record(0x09, 6 << 3).sw, sw::kSecurityNotSatisfied);

  ASSERT_EQ(authenticate(0x0A, kReadingKey), sw::kSuccess);
  EXPECT_EQ(read_record(0x09, 6 << 3).data, kName);
  EXPECT_EQ(read_record(7, 6 << 3 | 4).data, kBirthDate) << "record 7 by number";
  // Selecting the application again forgets what was proved.
  ASSERT_TRUE(select_ssse().sw.ok());
  EXPECT_EQ(read_record(0x09, 6 << 3).sw, sw::kSecurityNotSatisfied);
}

TEST_F(AccessRules, APinProtectedFileOpensAfterVerifyAndIsNeverUpdated) {
  const CommandApdu select_photo{0x00, 0xA4, 0x02, 0x0C, {0xEF, 0x08}, std::nullopt};
  ASSERT_TRUE(send(select_photo).sw.ok());
  const CommandApdu read{0x00, 0xB0, 0x00, 0x00, {}, 256u};
  EXPECT_EQ(send(read).sw, sw::kSecurityNotSatisfied);
  ASSERT_EQ(send(CommandApdu{0x00, 0x20, 0x00, 0x00, {0x12, 0x34}, std::nullopt}).sw, sw::kSuccess);
  EXPECT_EQ(send(read).data, hex("FF D8 FF D9"));
}

TEST_F(AccessRules, UpdateRecordKeepsTheRecordsTag) {
  ASSERT_EQ(authenticate(0x05, kMaintenanceKey), sw::kSuccess);
  EXPECT_EQ(update_record(2, 6 << 3 | 4, hex("0A 01 31")).sw, sw::kWrongData);
  EXPECT_EQ(update_record(3, 6 << 3 | 4, hex("0A 01 31")).sw, sw::kRecordNotFound);
  EXPECT_EQ(update_record(0x09, 6 << 3, hex("09 02 D5 C5")).sw, sw::kSuccess);
  EXPECT_EQ(card_.state().ssse.records.at(6).at(2), hex("09 02 D5 C5"));
}

}  // namespace
}  // namespace cardd::vcard
