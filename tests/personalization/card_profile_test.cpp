// The card profile is data: the shipped profiles load, and a broken one is
// refused with every problem and its location.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cardd/personalization/card_profile.h"
#include "regions.h"
#include "text_file.h"

namespace cardd::personalization {
namespace {

using test::replaced;

std::string shipped_text() { return test::read_text(test::shipped_region().chip_profile()); }

TEST(CardProfile, ShippedBeijingProfileLoads) {
  auto p = load_card_profile(test::shipped_region().chip_profile().string());
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(p->name, "beijing-gen3");
  ASSERT_EQ(p->applications.size(), 2u);
  const ApplicationSpec& ssse = p->applications[0];
  EXPECT_EQ(ssse.aid.size(), 15u);
  ASSERT_EQ(ssse.files.size(), 3u);
  EXPECT_EQ(ssse.files[2].type, FileType::transparent);
  ASSERT_TRUE(ssse.files[2].content.has_value());
  EXPECT_EQ(ssse.files[2].content->item, "holder.photo");
  EXPECT_EQ(ssse.files[2].content->length, 16384u);
  EXPECT_EQ(ssse.files[0].sfi, 5);
  EXPECT_EQ(ssse.files[0].fid, 0xEF05);
  EXPECT_EQ(ssse.files[0].records.size(), 7u);
  EXPECT_EQ(ssse.files[0].records[0].elements[0].item, "card.identification_code");
  ASSERT_EQ(ssse.keys.size(), 6u);
  EXPECT_EQ(ssse.keys[5].role, "reading");
  // Who may read: EF05 anyone, EF06 and the photo after the reading key.
  EXPECT_EQ(ssse.files[0].access.read.kind, AccessCondition::Kind::free);
  EXPECT_EQ(ssse.files[0].access.update.kind, AccessCondition::Kind::key);
  EXPECT_EQ(ssse.files[0].access.update.key, 0x05);
  EXPECT_EQ(ssse.files[1].access.read.kind, AccessCondition::Kind::key);
  EXPECT_EQ(ssse.files[1].access.read.key, 0x0A);
  EXPECT_EQ(ssse.files[2].access.update.kind, AccessCondition::Kind::never);
  EXPECT_EQ(ssse.final_life_cycle, 0x0F);
  ASSERT_TRUE(ssse.pin.has_value());
  EXPECT_EQ(ssse.pin->try_limit, 3);
  EXPECT_TRUE(p->applications[1].files[0].records[0].constructed);
  EXPECT_EQ(p->applications[1].files[0].records[0].elements[1].tag, 0x5F24u);
  EXPECT_EQ(p->secure_channel.protocol, ScpProtocol::scp03);
  EXPECT_EQ(p->secure_channel.security_level, 0x33);
  EXPECT_EQ(p->issuer.card_number_digits(), 7u);
  EXPECT_EQ(p->issuer.spec_version, "3.00");
  EXPECT_EQ(p->issuer.identification_rid, (card::Bytes{0xD1, 0x56, 0x00, 0x00, 0x05}));
  EXPECT_EQ(p->issuer.issuer_org.size(), 24u);
  // EF06 in the national order: the birth date is record 7 for readers that
  // address by number.
  const auto& holder = ssse.files[1].records;
  ASSERT_EQ(holder.size(), 7u);
  EXPECT_EQ(holder[2].tag, 0x4Eu);
  EXPECT_EQ(holder[2].elements[0].length, 20u);
  EXPECT_EQ(holder[5].tag, 0x0Cu);
  EXPECT_EQ(holder[6].elements[0].item, "holder.birth_date");
  // Banks, region and vendor codes are the region's (region.toml), not the chip layout's.
  EXPECT_TRUE(p->issuer.banks.empty());
  EXPECT_TRUE(p->issuer.region_code.empty());
}

TEST(CardProfile, ShippedTianjinProfileUsesSm4) {
  auto p = load_card_profile(test::shipped_region("tianjin").chip_profile().string());
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(p->name, "tianjin-gen3");
  EXPECT_EQ(p->secure_channel.protocol, ScpProtocol::scp03);
  EXPECT_EQ(p->secure_channel.algorithm, hsm::Algorithm::sm4);
  EXPECT_EQ(p->block_size(), 16u);
}

TEST(CardProfile, RegionDataInTheChipProfileIsRefused) {
  auto p = parse_card_profile(
      replaced(shipped_text(), "[issuer]\n", "[issuer]\nvendor_code = \"51\"\n"), "old.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("issuer.vendor_code: unknown key"), std::string::npos)
      << p.error().message;
}

TEST(CardProfile, EveryProblemIsReportedWithItsLocation) {
  std::string text = shipped_text();
  text = replaced(text, "item = \"card.number\", encoding = \"an\", length = 9",
                  "item = \"card.numbr\", encoding = \"an\", length = 9");
  text = replaced(text, "item = \"holder.ssn\", encoding = \"an\", length = 18",
                  "item = \"holder.ssn\", encoding = \"an\", length = 17");
  text = replaced(text, "card_type = \"3\"", "card_type = \"33\"");
  text = replaced(text, "sfi = 6", "sfi = 5");
  text = replaced(text, "protocol = \"scp03\"", "protocol = \"scp04\"");
  auto p = parse_card_profile(text, "broken.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ProfileError::invalid);
  const std::string& m = p.error().message;
  EXPECT_NE(m.find("5 problem(s)"), std::string::npos) << m;
  EXPECT_NE(m.find("applications[0].files[0].records[6].item: unknown data item \"card.numbr\""),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("applications[0].files[1].records[0].length: \"holder.ssn\" takes exactly 18"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("issuer.card_type: must be 1 characters"), std::string::npos) << m;
  EXPECT_NE(m.find("applications[0].files[1].sfi: used twice"), std::string::npos) << m;
  EXPECT_NE(m.find("secure_channel.protocol: must be one of scp02, scp03"), std::string::npos) << m;
  EXPECT_NE(m.find("(line "), std::string::npos) << m;
}

TEST(CardProfile, TyposAndMissingKeysAreNotIgnored) {
  std::string text = replaced(shipped_text(), "validity_years = 10", "validity_yaers = 10");
  auto p = parse_card_profile(text, "typo.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("issuer.validity_yaers: unknown key"), std::string::npos);
  EXPECT_NE(p.error().message.find("issuer.validity_years: missing"), std::string::npos);
}

TEST(CardProfile, AccessRulesNameKeysTheApplicationHas) {
  std::string text = shipped_text();
  text = replaced(text, "read = \"key:reading\"\nupdate = \"key:application_maintenance\"",
                  "read = \"key:psam\"\nupdate = \"sometimes\"");
  auto p = parse_card_profile(text, "access.toml");
  ASSERT_FALSE(p.ok());
  const std::string& m = p.error().message;
  EXPECT_NE(m.find("applications[0].files[1].read: the application has no key with role \"psam\""),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("applications[0].files[1].update: must be free, pin, never or key:<role>"),
            std::string::npos)
      << m;
}

TEST(CardProfile, TheNationalLayoutsSettingsAreChecked) {
  std::string text = shipped_text();
  text = replaced(text, "identification_tail = \"chip_id\"", "identification_tail = \"serial\"");
  text = replaced(text, "identification_rid = \"D156000005\"", "identification_rid = \"D156\"");
  text = replaced(text, "expiry = \"anniversary\"", "expiry = \"eve\"");
  text = replaced(text, "card_number_prefix = \"B\"", "card_number_prefix = \"b\"");
  auto p = parse_card_profile(text, "layout.toml");
  ASSERT_FALSE(p.ok());
  const std::string& m = p.error().message;
  EXPECT_NE(m.find("issuer.identification_tail: must be one of chip_id, ic_serial"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("issuer.identification_rid: must be 5 bytes of hex"), std::string::npos) << m;
  EXPECT_NE(m.find("issuer.expiry: must be one of anniversary, day_before"), std::string::npos)
      << m;
  EXPECT_NE(m.find("issuer.card_number_prefix: must be at most 3 digits or capital letters"),
            std::string::npos)
      << m;
}

TEST(CardProfile, Scp02NeedsTripleDesAndEmvDiversification) {
  std::string text = replaced(shipped_text(), "protocol = \"scp03\"", "protocol = \"scp02\"");
  auto p = parse_card_profile(text, "scp02.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("SCP02 uses 3des-2key"), std::string::npos);
  EXPECT_NE(p.error().message.find("SCP02 card keys use emv-cpg"), std::string::npos);
}

TEST(CardProfile, NotTomlIsUnreadable) {
  auto p = parse_card_profile("name = [", "bad.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ProfileError::unreadable);
  EXPECT_FALSE(load_card_profile("/nonexistent/profile.toml").ok());
}

}  // namespace
}  // namespace cardd::personalization
