// SELECT, READ RECORD and READ BINARY on a card whose data is already in
// its EEPROM (the state is built directly: these tests are about the file
// system, not about how the data got there).
#include <gtest/gtest.h>

#include "cardd/card/apdu.h"
#include "cardd/vcard/virtual_card.h"
#include "hex.h"

namespace cardd::vcard {
namespace {

using card::CommandApdu;
using card::ResponseApdu;
using card::StatusWord;
using cardd::test::hex;
namespace sw = card::sw;

const Bytes kRecord1 = hex("01 03 41 42 43");
const Bytes kRecord2 = hex("02 02 10 20");
const Bytes kRecord3 = hex("02 01 99");  // a second record with tag 02
const Bytes kPan = hex("5A 08 62 12 34 56 78 90 12 34");

Bytes content(std::size_t size) {
  Bytes b(size);
  for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}

class FileSystem : public ::testing::Test {
 protected:
  FileSystem() : card_(state()), reader_(card_) { EXPECT_TRUE(reader_.connect().ok()); }

  static CardState state() {
    CardState s;
    s.keys = StaticKeys{Cipher::aes, Bytes(16, 0x40), Bytes(16, 0x41), Bytes(16, 0x42)};
    s.ssse.records[5] = {{1, kRecord1}, {2, kRecord2}, {3, kRecord3}};
    s.ssse.binaries[8] = content(600);
    s.fin.records[1] = {{1, kPan}};
    return s;
  }

  ResponseApdu send(const CommandApdu& c) {
    auto r = reader_.transmit(c);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ResponseApdu{};
  }
  ResponseApdu select(const Bytes& aid, std::uint8_t p2 = 0x00) {
    return send(CommandApdu{0x00, 0xA4, 0x04, p2, aid, 256u});
  }
  ResponseApdu select_fid(std::uint16_t fid, std::uint8_t p1 = 0x00, std::uint8_t p2 = 0x00) {
    return send(CommandApdu{0x00,
                            0xA4,
                            p1,
                            p2,
                            {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)},
                            256u});
  }
  ResponseApdu read_record(std::uint8_t p1, std::uint8_t p2,
                           std::optional<std::uint32_t> le = 256u) {
    return send(CommandApdu{0x00, 0xB2, p1, p2, {}, le});
  }
  ResponseApdu read_binary(std::uint8_t p1, std::uint8_t p2,
                           std::optional<std::uint32_t> le = 256u) {
    return send(CommandApdu{0x00, 0xB0, p1, p2, {}, le});
  }

  VirtualCard card_;
  InProcessReader reader_;
};

// The SSSE's FCI also carries the key algorithm flag readers parse (9F0C:
// 86 01 xx; 04 for an AES card).
Bytes fci(const Bytes& aid) {
  const bool ssse = aid == social_security_aid();
  Bytes out = {0x6F, static_cast<std::uint8_t>(aid.size() + 2 + (ssse ? 8 : 0)), 0x84,
               static_cast<std::uint8_t>(aid.size())};
  out.insert(out.end(), aid.begin(), aid.end());
  if (ssse) out.insert(out.end(), {0xA5, 0x06, 0x9F, 0x0C, 0x03, 0x86, 0x01, 0x04});
  return out;
}

Bytes fcp(std::uint16_t fid) {
  return {
      0x62, 0x04, 0x83, 0x02, static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)};
}

TEST(FileSystemLifeCycle, ApplicationsAreSelectableInEveryLifeCycle) {
  for (const LifeCycle lc :
       {LifeCycle::op_ready, LifeCycle::initialized, LifeCycle::secured, LifeCycle::locked}) {
    CardState s;
    s.life_cycle = lc;
    VirtualCard card(std::move(s));
    InProcessReader reader(card);
    for (const Bytes& aid : {card_manager_aid(), social_security_aid(), financial_aid()}) {
      const auto r = reader.transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, aid, 256u});
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->sw, sw::kSuccess) << static_cast<int>(lc);
      EXPECT_EQ(r->data, fci(aid));
    }
  }
}

TEST_F(FileSystem, SelectByAid) {
  EXPECT_EQ(select({}).data, fci(card_manager_aid())) << "empty AID: the card manager";
  EXPECT_EQ(select(hex("A0 00 00 03 33 01 01 02")).sw, sw::kFileNotFound);
  EXPECT_EQ(select(hex("73 78 31 2E")).sw, sw::kFileNotFound) << "no partial AID match";
  const auto quiet = select(social_security_aid(), 0x0C);
  EXPECT_EQ(quiet.sw, sw::kSuccess);
  EXPECT_TRUE(quiet.data.empty());
  EXPECT_EQ(select(social_security_aid(), 0x04).sw, sw::kIncorrectP1P2);
}

TEST_F(FileSystem, WithoutLeAFileAnswersABare9000AndAnApplicationSaysItsFciWaits) {
  const auto app = send(CommandApdu{0x00, 0xA4, 0x04, 0x00, social_security_aid(), std::nullopt});
  EXPECT_EQ(app.sw, StatusWord(0x611B));
  EXPECT_TRUE(app.data.empty());
  const auto fci_back = send(CommandApdu{0x00, 0xC0, 0x00, 0x00, {}, 0x1Bu});
  EXPECT_EQ(fci_back.sw, sw::kSuccess);
  EXPECT_EQ(fci_back.data, fci(social_security_aid()));
  EXPECT_EQ(send(CommandApdu{0x00, 0xC0, 0x00, 0x00, {}, 0x1Bu}).sw, sw::kConditionsNotSatisfied)
      << "nothing waits any more";
  const auto ef = send(CommandApdu{0x00, 0xA4, 0x02, 0x00, {0xEF, 0x05}, std::nullopt});
  EXPECT_EQ(ef.sw, sw::kSuccess);
  EXPECT_TRUE(ef.data.empty());
  EXPECT_EQ(read_record(0x02, 0x00).data, kRecord2) << "by tag in the EF just selected";
}

TEST_F(FileSystem, SelectByFidFindsTheSelectedApplicationsFiles) {
  EXPECT_EQ(select_fid(0xEF05).sw, sw::kFileNotFound) << "no application selected";
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  for (const std::uint16_t fid : std::initializer_list<std::uint16_t>{
           0xEF05, 0xEF06, 0xEF07, 0xEF08, 0xDF01, 0xDF02, 0xDF03, 0xDF04}) {
    for (const std::uint8_t p1 : std::initializer_list<std::uint8_t>{0x00, 0x02}) {
      const auto r = select_fid(fid, p1);
      EXPECT_EQ(r.sw, sw::kSuccess) << std::hex << fid;
      EXPECT_EQ(r.data, fcp(fid));
    }
  }
  EXPECT_EQ(select_fid(0xEF01).sw, sw::kFileNotFound) << "FIN's file";
  EXPECT_EQ(select_fid(0xDF05).sw, sw::kFileNotFound);
  EXPECT_EQ(select_fid(0xEF05, 0x01).sw, sw::kIncorrectP1P2);
  EXPECT_EQ(send(CommandApdu{0x00, 0xA4, 0x00, 0x00, {0xEF}, 256u}).sw, sw::kWrongLength);

  ASSERT_TRUE(select(financial_aid()).sw.ok());
  EXPECT_EQ(select_fid(0xEF01).data, fcp(0xEF01));
  EXPECT_EQ(select_fid(0xEF02).data, fcp(0xEF02));
  EXPECT_EQ(select_fid(0xEF05).sw, sw::kFileNotFound);

  ASSERT_TRUE(select(card_manager_aid()).sw.ok());
  EXPECT_EQ(select_fid(0xEF05).sw, sw::kFileNotFound) << "the card manager has no files";
}

TEST_F(FileSystem, TheMasterFileIsSelectableAndHoldsNoEfs) {
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  const auto mf = select_fid(0x3F00);
  EXPECT_EQ(mf.sw, sw::kSuccess);
  EXPECT_EQ(mf.data, fcp(0x3F00));
  EXPECT_EQ(send(CommandApdu{0x00, 0xA4, 0x00, 0x00, {}, 256u}).data, fcp(0x3F00));
  EXPECT_EQ(select_fid(0xEF05).sw, sw::kFileNotFound);
  EXPECT_EQ(read_record(1, 5 << 3 | 4).sw, sw::kConditionsNotSatisfied);
}

TEST_F(FileSystem, ReadRecordByNumberAndByTag) {
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  EXPECT_EQ(read_record(1, 5 << 3 | 4).data, kRecord1);
  EXPECT_EQ(read_record(3, 5 << 3 | 4).data, kRecord3);
  const auto by_tag = read_record(0x02, 5 << 3);
  EXPECT_EQ(by_tag.sw, sw::kSuccess);
  EXPECT_EQ(by_tag.data, kRecord2) << "the first record with the tag";
  EXPECT_EQ(read_record(0x03, 5 << 3).sw, sw::kRecordNotFound);
  EXPECT_EQ(read_record(4, 5 << 3 | 4).sw, sw::kRecordNotFound);
  EXPECT_EQ(read_record(1, 6 << 3 | 4).sw, sw::kRecordNotFound) << "EF06 is empty";
  EXPECT_EQ(read_record(1, 9 << 3 | 4).sw, sw::kFileNotFound);
  EXPECT_EQ(read_record(1, 1 << 3 | 4).sw, sw::kFileNotFound) << "FIN's SFI";
  EXPECT_EQ(read_record(1, 8 << 3 | 4).sw, sw::kCommandIncompatible) << "EF08 is transparent";
  EXPECT_EQ(read_record(1, 5 << 3 | 5).sw, sw::kIncorrectP1P2);
  // Le shorter than the record: the T=0 "resend with Le = xx".
  EXPECT_EQ(read_record(1, 5 << 3 | 4, 2u).sw, StatusWord(0x6C05));
  EXPECT_EQ(read_record(1, 5 << 3 | 4, std::nullopt).data, kRecord1);

  ASSERT_TRUE(select(financial_aid()).sw.ok());
  EXPECT_EQ(read_record(1, 1 << 3 | 4).data, kPan);
  EXPECT_EQ(read_record(0x5A, 1 << 3).data, kPan);
}

TEST_F(FileSystem, SfiZeroReadsTheCurrentFile) {
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  EXPECT_EQ(read_record(1, 0x04).sw, sw::kCommandNotAllowed) << "no current EF";
  ASSERT_TRUE(select_fid(0xEF05).sw.ok());
  EXPECT_EQ(read_record(2, 0x04).data, kRecord2);
  ASSERT_TRUE(select_fid(0xDF01).sw.ok());
  EXPECT_EQ(read_record(1, 0x04).sw, sw::kCommandIncompatible) << "a DF holds no records";
  // A READ with an SFI makes that file the current one.
  ASSERT_EQ(read_record(1, 5 << 3 | 4).data, kRecord1);
  EXPECT_EQ(read_record(3, 0x04).data, kRecord3);
}

TEST_F(FileSystem, ReadBinaryByOffsetAndBySfi) {
  const Bytes all = content(600);
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  EXPECT_EQ(read_binary(0x00, 0x00).sw, sw::kCommandNotAllowed) << "no current EF";
  ASSERT_TRUE(select_fid(0xEF08).sw.ok());
  const auto first = read_binary(0x00, 0x00);
  EXPECT_EQ(first.sw, sw::kSuccess);
  EXPECT_EQ(first.data, Bytes(all.begin(), all.begin() + 256)) << "Le 00: 256 bytes";
  EXPECT_EQ(read_binary(0x01, 0x2C, 16u).data, Bytes(all.begin() + 300, all.begin() + 316));
  EXPECT_EQ(read_binary(0x02, 0x00).data, Bytes(all.begin() + 512, all.end()))
      << "the rest when shorter than Le";
  const auto end = read_binary(0x02, 0x58);
  EXPECT_EQ(end.sw, StatusWord(0x6282)) << "offset = size: end of file";
  EXPECT_TRUE(end.data.empty());
  EXPECT_EQ(read_binary(0x02, 0x59).sw, sw::kWrongP1P2);

  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  EXPECT_EQ(read_binary(0x80 | 8, 0x10, 4u).data, Bytes(all.begin() + 16, all.begin() + 20));
  EXPECT_EQ(read_binary(0x80 | 5, 0x00).sw, sw::kCommandIncompatible) << "EF05 holds records";
  EXPECT_EQ(read_binary(0x80 | 9, 0x00).sw, sw::kFileNotFound);
  EXPECT_EQ(read_binary(0xA0 | 8, 0x00).sw, sw::kIncorrectP1P2);
  // The SFI form made EF08 current.
  EXPECT_EQ(read_binary(0x00, 0x01, 1u).data, Bytes{0x01});
}

TEST_F(FileSystem, ANeverWrittenFileIsEmpty) {
  CardState s;
  VirtualCard card(std::move(s));
  InProcessReader reader(card);
  ASSERT_TRUE(
      reader.transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, social_security_aid(), 256u})->sw.ok());
  const auto r = reader.transmit(CommandApdu{0x00, 0xB0, 0x88, 0x00, {}, 256u});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sw, StatusWord(0x6282));
  EXPECT_TRUE(r->data.empty());
  EXPECT_EQ(reader.transmit(CommandApdu{0x00, 0xB0, 0x88, 0x01, {}, 256u})->sw, sw::kWrongP1P2);
}

TEST_F(FileSystem, ApplicationCommandsNeedAnApplication) {
  EXPECT_EQ(read_record(1, 5 << 3 | 4).sw, sw::kConditionsNotSatisfied);
  EXPECT_EQ(send(CommandApdu{0x00, 0x20, 0x00, 0x00, {}, std::nullopt}).sw,
            sw::kConditionsNotSatisfied);
  ASSERT_TRUE(select(card_manager_aid()).sw.ok());
  EXPECT_EQ(read_record(1, 5 << 3 | 4).sw, sw::kInsNotSupported);
  EXPECT_EQ(send(CommandApdu{0x80, 0xCA, 0x00, 0x66, {}, 256u}).sw, sw::kReferencedDataNotFound);
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  EXPECT_EQ(send(CommandApdu{0x80, 0x50, 0x00, 0x00, Bytes(8, 0), 256u}).sw, sw::kInsNotSupported)
      << "INITIALIZE UPDATE is the card manager's";
}

TEST(Cplc, ChipIdentityLayout) {
  CardState s;
  s.serial = {0x12, 0x34, 0x56, 0x78};
  VirtualCard card(std::move(s));
  InProcessReader reader(card);
  const auto r = reader.transmit(CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
  ASSERT_TRUE(r.ok() && r->sw.ok());
  ASSERT_EQ(r->data.size(), 45u);
  const Bytes cplc(r->data.begin() + 3, r->data.end());
  EXPECT_EQ(Bytes(cplc.begin(), cplc.begin() + 4), hex("47 90 53 01"));
  EXPECT_EQ(Bytes(cplc.begin() + 12, cplc.begin() + 18), hex("12 34 56 78 00 00"));
}

}  // namespace
}  // namespace cardd::vcard
