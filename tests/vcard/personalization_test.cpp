// The personalization dialogue against the in-process card, for each of the
// card's ciphers: keys diversified from the KMC on both sides, INSTALL,
// STORE DATA of records, the photo file, encrypted keys and the PIN, then
// the read-back through the application's own commands.
#include "card_fixture.h"

namespace cardd::vcard::test {
namespace {

using Personalization = CardFixture;

const Bytes kSsseRecord1 =
    cardd::test::hex("01 10 31 31 30 30 30 30 31 35 36 30 30 30 30 30 30 31");
const Bytes kSsseRecord2 = cardd::test::hex("03 04 20 26 11 01");
const Bytes kHolderRecord =
    cardd::test::hex("08 12 31 31 30 31 30 31 31 39 39 30 30 31 30 31 30 30 31 58");

Bytes photo(std::size_t size) {
  Bytes p(size);
  for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return p;
}

TEST_P(Personalization, TheCardAnswersWithTheChipIdentityItWasDiversifiedBy) {
  ASSERT_TRUE(open_channel().ok());
  // KDD (10) | KVN | SCP identifier: KDD = 00 00 || CHIP ID.
  EXPECT_EQ(Bytes(iu_response_.begin(), iu_response_.begin() + 10),
            concat({{0x00, 0x00}, chip_id_}));
  EXPECT_EQ(chip_id_, (Bytes{0x47, 0x90, 0x53, 0x01, 0xC0, 0xFF, 0xEE, 0x01}));
  EXPECT_EQ(iu_response_[10], cipher() == Cipher::des3 ? 0x20 : 0x30);
  EXPECT_EQ(iu_response_[11], cipher() == Cipher::des3 ? 0x02 : 0x03);
}

TEST_P(Personalization, AnotherChipsKeysDoNotOpenTheChannel) {
  CardState other = new_card(cipher());
  other.serial = {0xC0, 0xFF, 0xEE, 0x02};
  other.keys = *diversified_keys(cipher(), kKmc, other.serial);
  insert(std::move(other));
  const auto opened = open_channel();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, personalization::SecureChannelError::card_cryptogram);
}

TEST_P(Personalization, StoredDataReadsBackThroughTheApplication) {
  ASSERT_TRUE(open_channel().ok());
  const Bytes picture = photo(180);
  ASSERT_EQ(store(concat({dgi(0x0501, kSsseRecord1), dgi(0x0502, kSsseRecord2),
                          dgi(0x0601, kHolderRecord)}),
                  0x00, 0x00),
            sw::kSuccess);
  ASSERT_EQ(store(dgi(0x0800, picture), 0x00, 0x01), sw::kSuccess);
  const Bytes ia = new_application_key("app/ia"), ea = new_application_key("app/ea");
  ASSERT_EQ(store(concat({dgi(0x8101, ia), dgi(0x8102, ea)}), 0x60, 0x02), sw::kSuccess);
  ASSERT_EQ(store(dgi(0x8010, encrypt_for_card(pin_block("123456"))), 0x60, 0x03), sw::kSuccess);
  ASSERT_EQ(store(dgi(0x9010, {0x05, 0x05}), 0x80, 0x04), sw::kSuccess);
  ASSERT_TRUE(send_secured(CommandApdu{0x80, 0xF0, 0x80, 0x0F, {}, std::nullopt}).sw.ok());

  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  const auto by_number = send(CommandApdu{0x00, 0xB2, 0x02, 5 << 3 | 4, {}, 256u});
  EXPECT_EQ(by_number.sw, sw::kSuccess);
  EXPECT_EQ(by_number.data, kSsseRecord2);
  const auto by_tag = send(CommandApdu{0x00, 0xB2, 0x08, 6 << 3, {}, 256u});
  EXPECT_EQ(by_tag.sw, sw::kSuccess);
  EXPECT_EQ(by_tag.data, kHolderRecord);
  const auto binary = send(CommandApdu{0x00, 0xB0, 0x80 | 8, 0x00, {}, 256u});
  EXPECT_EQ(binary.sw, sw::kSuccess);
  EXPECT_EQ(binary.data, picture);

  EXPECT_EQ(send(CommandApdu{0x00, 0x20, 0x00, 0x00, {}, std::nullopt}).sw, StatusWord(0x63C5));
  EXPECT_EQ(send(CommandApdu{0x00, 0x20, 0x00, 0x00, {0x12, 0x34, 0x56}, std::nullopt}).sw,
            sw::kSuccess);

  // Each key proves itself: the card's answer is the HSM's encryption.
  for (const auto& [reference, name] : {std::pair{0x01, "app/ia"}, std::pair{0x02, "app/ea"}}) {
    auto challenge = hsm_->random(block());
    ASSERT_TRUE(challenge.ok());
    const auto answer =
        send(CommandApdu{0x00, 0x88, 0x00, static_cast<std::uint8_t>(reference), *challenge, 256u});
    ASSERT_EQ(answer.sw, sw::kSuccess);
    auto expected = hsm_->encrypt(name, hsm::CipherMode::ecb, {}, *challenge);
    ASSERT_TRUE(expected.ok());
    EXPECT_EQ(answer.data, *expected) << "key " << reference;
  }
  EXPECT_EQ(send(CommandApdu{0x00, 0x88, 0x00, 0x03, Bytes(block(), 1), 256u}).sw,
            sw::kReferencedDataNotFound);
  EXPECT_EQ(send(CommandApdu{0x00, 0x88, 0x00, 0x01, Bytes(block() + 1, 1), 256u}).sw,
            sw::kWrongLength);
}

TEST_P(Personalization, InstallChoosesTheFinancialApplication) {
  ASSERT_TRUE(open_channel().ok());
  const auto installed = install(financial_aid());
  EXPECT_EQ(installed.sw, sw::kSuccess);
  EXPECT_EQ(installed.data, Bytes{0x00});
  const Bytes pan_record = cardd::test::hex("70 0A 5A 08 62 12 34 56 78 90 12 34");
  ASSERT_EQ(store(dgi(0x0101, pan_record)), sw::kSuccess);
  EXPECT_EQ(card_->state().fin.records.at(1).at(1), pan_record);
  EXPECT_TRUE(card_->state().ssse.records.empty());
  // The social security files are not the financial application's.
  EXPECT_EQ(store(dgi(0x0501, kSsseRecord1)), sw::kWrongData);

  EXPECT_EQ(install(card_manager_aid()).sw, sw::kReferencedDataNotFound);
  EXPECT_EQ(install(cardd::test::hex("A0 00 00 03 33 01 01 02")).sw, sw::kReferencedDataNotFound);
  ASSERT_EQ(install(social_security_aid()).sw, sw::kSuccess);
  EXPECT_EQ(store(dgi(0x0101, pan_record)), sw::kWrongData) << "SSSE has no SFI 1";
  EXPECT_EQ(store(dgi(0x0501, kSsseRecord1)), sw::kSuccess);

  ASSERT_TRUE(select(financial_aid()).sw.ok());
  const auto r = send(CommandApdu{0x00, 0xB2, 0x01, 1 << 3 | 4, {}, 256u});
  EXPECT_EQ(r.sw, sw::kSuccess);
  EXPECT_EQ(r.data, pan_record);
}

TEST_P(Personalization, AWrongDgiStoresNothingOfItsCommand) {
  ASSERT_TRUE(open_channel().ok());
  for (const std::uint16_t bad : std::initializer_list<std::uint16_t>{
           0x0A01, 0x0801, 0x0500, 0x05FF, 0xDF01, 0x8106, 0x1F01}) {
    EXPECT_EQ(store(concat({dgi(0x0501, kSsseRecord1), dgi(bad, {0x42, 0x01})})), sw::kWrongData)
        << std::hex << bad;
  }
  EXPECT_EQ(store(dgi(0x0502, {})), sw::kWrongData) << "a record has at least its tag";
  EXPECT_EQ(store(dgi(0x9010, {0x03, 0x04})), sw::kWrongData);
  EXPECT_EQ(store(dgi(0x9010, {0x00, 0x00})), sw::kWrongData);
  EXPECT_EQ(store({0x05, 0x01, 0x05, 0x01}), sw::kWrongData) << "value shorter than its length";
  EXPECT_EQ(store({0x05}), sw::kWrongData) << "a DGI header split";
  EXPECT_EQ(store_chunked(dgi(0x0800, photo(32769))), sw::kNotEnoughMemory);
  EXPECT_TRUE(card_->state().ssse == ApplicationData{});
}

TEST_P(Personalization, SensitiveDgisMustArriveEncryptedAndWhole) {
  ASSERT_TRUE(open_channel().ok());
  const Bytes key = new_application_key("app/ia");
  // Not a multiple of the cipher's block.
  Bytes cut = key;
  cut.pop_back();
  EXPECT_EQ(store(dgi(0x8101, cut), 0xE0), sw::kWrongData);
  // A key in clear, or one that decrypts to the wrong length.
  EXPECT_EQ(store(dgi(0x8101, Bytes(16, 0x11)), 0x80), sw::kWrongData);
  EXPECT_EQ(store(dgi(0x8101, concat({key, key})), 0xE0), sw::kWrongData);
  // A PIN in clear, or a block that is not ISO 9564 format 2.
  EXPECT_EQ(store(dgi(0x8010, pin_block("1234")), 0x80), sw::kWrongData);
  Bytes format1 = pin_block("1234");
  format1[0] = 0x14;
  EXPECT_EQ(store(dgi(0x8010, encrypt_for_card(format1)), 0xE0), sw::kWrongData);
  EXPECT_EQ(store(dgi(0x8010, encrypt_for_card(pin_block("123"))), 0xE0), sw::kWrongData);
  // The try limit travels in clear: encrypted it cannot be two bytes.
  EXPECT_EQ(store(dgi(0x9010, {0x03, 0x03}), 0xE0), sw::kWrongData);
  EXPECT_TRUE(card_->state().ssse == ApplicationData{});

  ASSERT_EQ(store(dgi(0x8101, key), 0xE0), sw::kSuccess);
  EXPECT_EQ(card_->state().ssse.keys.size(), 1u);
}

TEST_P(Personalization, AccessRulesArriveInClearAndMustBeWellFormed) {
  ASSERT_TRUE(open_channel().ok());
  EXPECT_EQ(store(dgi(0xA006, {0x03, 0x00, 0xFF, 0x00})), sw::kWrongData) << "no condition 03";
  EXPECT_EQ(store(dgi(0xA006, {0x02, 0x10, 0xFF, 0x00})), sw::kWrongData) << "key 10";
  EXPECT_EQ(store(dgi(0xA006, {0x00, 0x0A, 0xFF, 0x00})), sw::kWrongData) << "free with a key";
  EXPECT_EQ(store(dgi(0xA009, {0x00, 0x00, 0xFF, 0x00})), sw::kWrongData) << "no SFI 9";
  EXPECT_EQ(store(dgi(0xA006, {0x02, 0x0A})), sw::kWrongData);
  EXPECT_TRUE(card_->state().ssse.access.empty());
  ASSERT_EQ(
      store(concat({dgi(0xA005, {0x00, 0x00, 0x02, 0x05}), dgi(0xA006, {0x02, 0x0A, 0x02, 0x05}),
                    dgi(0xA008, {0x01, 0x00, 0xFF, 0x00})})),
      sw::kSuccess);
  const auto& access = card_->state().ssse.access;
  ASSERT_EQ(access.size(), 3u);
  EXPECT_EQ(access.at(6).read, (AccessCondition{AccessCondition::Kind::key, 0x0A}));
  EXPECT_EQ(access.at(5).update, (AccessCondition{AccessCondition::Kind::key, 0x05}));
  EXPECT_EQ(access.at(8).read.kind, AccessCondition::Kind::pin);
  EXPECT_EQ(access.at(8).update.kind, AccessCondition::Kind::never);
}

// GlobalPlatform: a SECURED card still takes card management; it is the
// PERSONALIZED application that refuses STORE DATA.
TEST_P(Personalization, APersonalizedApplicationRefusesPersonalization) {
  ASSERT_TRUE(open_channel().ok());
  ASSERT_EQ(store(dgi(0x0501, kSsseRecord1)), sw::kSuccess);
  ASSERT_TRUE(send_secured(CommandApdu{0x80, 0xF0, 0x80, 0x0F, {}, std::nullopt}).sw.ok());
  EXPECT_EQ(card_->state().life_cycle, LifeCycle::secured);
  EXPECT_EQ(store(dgi(0x0502, kSsseRecord2)), sw::kSuccess) << "SSSE is still SELECTABLE";
  EXPECT_EQ(
      send_secured(CommandApdu{0x80, 0xF0, 0x40, 0x07, social_security_aid(), std::nullopt}).sw,
      sw::kWrongData)
      << "SELECTABLE is not a state to go to";
  ASSERT_TRUE(send_secured(CommandApdu{0x80, 0xF0, 0x40, 0x0F, social_security_aid(), std::nullopt})
                  .sw.ok());
  EXPECT_EQ(card_->state().ssse.life_cycle, 0x0F);
  EXPECT_EQ(card_->state().fin.life_cycle, kApplicationSelectable);
  EXPECT_EQ(store(dgi(0x0503, kSsseRecord2)), sw::kConditionsNotSatisfied);
  EXPECT_EQ(install(financial_aid()).sw, sw::kSuccess) << "FIN is not personalized yet";
  EXPECT_EQ(store(dgi(0x0101, kSsseRecord2)), sw::kSuccess);
  ASSERT_TRUE(install(social_security_aid()).sw.ok());
  EXPECT_EQ(store(dgi(0x0503, kSsseRecord2)), sw::kConditionsNotSatisfied);
  EXPECT_EQ(card_->state().ssse.records.at(5).size(), 2u);

  // The SECURED card opens a new channel, and GET STATUS tells both states.
  ASSERT_TRUE(open_channel().ok());
  const auto card_status = send_secured(CommandApdu{0x80, 0xF2, 0x80, 0x02, {0x4F, 0x00}, 256u});
  ASSERT_EQ(card_status.sw, sw::kSuccess);
  EXPECT_EQ(card_status.data,
            concat({{0xE3, 0x0E, 0x4F, 0x08}, card_manager_aid(), {0x9F, 0x70, 0x01, 0x0F}}));
  const auto apps = send_secured(CommandApdu{0x80, 0xF2, 0x40, 0x02, {0x4F, 0x00}, 256u});
  ASSERT_EQ(apps.sw, sw::kSuccess);
  EXPECT_EQ(apps.data, concat({{0xE3, 0x15, 0x4F, 0x0F},
                               social_security_aid(),
                               {0x9F, 0x70, 0x01, 0x0F, 0xE3, 0x0E, 0x4F, 0x08},
                               financial_aid(),
                               {0x9F, 0x70, 0x01, 0x07}}));
  EXPECT_EQ(send_secured(CommandApdu{0x80, 0xF2, 0x20, 0x02, {0x4F, 0x00}, 256u}).sw,
            sw::kIncorrectP1P2);

  // A LOCKED card takes no personalization at all.
  ASSERT_TRUE(send_secured(CommandApdu{0x80, 0xF0, 0x80, 0x7F, {}, std::nullopt}).sw.ok());
  EXPECT_EQ(install(financial_aid()).sw, sw::kConditionsNotSatisfied);
  // Without a channel nothing goes through.
  ASSERT_TRUE(select(card_manager_aid()).sw.ok());
  EXPECT_NE(send(CommandApdu{0x80, 0xE2, 0x80, 0x00, dgi(0x0102, kSsseRecord2), std::nullopt}).sw,
            sw::kSuccess);
  EXPECT_EQ(card_->state().fin.records.at(1).size(), 1u);
}

TEST_P(Personalization, AFileLargerThanACommandContinuesIntoTheNext) {
  ASSERT_TRUE(open_channel().ok());
  const Bytes picture = photo(1000);
  const Bytes stream = dgi(0x0800, picture);
  std::uint8_t block_number = 0;
  for (std::size_t pos = 0; pos < stream.size(); pos += 200) {
    const std::size_t n = std::min<std::size_t>(200, stream.size() - pos);
    const bool last = pos + n == stream.size();
    const Bytes part(stream.begin() + static_cast<std::ptrdiff_t>(pos),
                     stream.begin() + static_cast<std::ptrdiff_t>(pos + n));
    ASSERT_EQ(store(part, last ? 0x80 : 0x00, block_number++), sw::kSuccess);
    EXPECT_EQ(card_->state().ssse.binaries.count(8), last ? 1u : 0u);
  }
  EXPECT_EQ(card_->state().ssse.binaries.at(8), picture);
  // A last block cannot leave a DGI open.
  EXPECT_EQ(store(Bytes(stream.begin(), stream.begin() + 100), 0x80), sw::kWrongData);
}

TEST_P(Personalization, AFullPhotoFileReadsBackByOffsets) {
  ASSERT_TRUE(open_channel().ok());
  const Bytes picture = photo(32768);
  ASSERT_EQ(store_chunked(dgi(0x0800, picture)), sw::kSuccess);
  ASSERT_TRUE(select(social_security_aid()).sw.ok());
  ASSERT_TRUE(select_fid(0xEF08).sw.ok());
  Bytes read;
  // 15-bit offsets reach exactly the 32768 bytes of the file.
  for (std::size_t offset = 0; offset < picture.size(); offset += 256) {
    const auto p1 = static_cast<std::uint8_t>(offset >> 8);
    const auto r = send(CommandApdu{0x00, 0xB0, p1, static_cast<std::uint8_t>(offset), {}, 256u});
    ASSERT_EQ(r.sw, sw::kSuccess) << offset;
    read.insert(read.end(), r.data.begin(), r.data.end());
  }
  EXPECT_EQ(read, picture);
  EXPECT_EQ(send(CommandApdu{0x00, 0xB0, 0x80, 0x00, {}, 256u}).sw, sw::kIncorrectP1P2)
      << "offset 32768 would be SFI 0";
}

INSTANTIATE_TEST_SUITE_P(Ciphers, Personalization,
                         ::testing::Values(Cipher::aes, Cipher::sm4, Cipher::des3), cipher_name);

}  // namespace
}  // namespace cardd::vcard::test
