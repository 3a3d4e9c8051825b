#include "cardd/intake/validator.h"

#include "cardd/common/base64.h"
#include "test_places.h"
#include "validator_fixture.h"

namespace cardd::intake::test {
namespace {

using nlohmann::json;

TEST_F(ValidatorTest, AcceptsAGeneratedApplication) {
  const json j = valid_application();
  const ValidationResult r = check(j);
  ASSERT_TRUE(r.valid()) << codes(r);
  ASSERT_TRUE(r.application.has_value());
  EXPECT_EQ(r.application->application_id, j["application_id"]);
  EXPECT_EQ(r.application->id_number.str(), j["id_number"].get<std::string>());
  EXPECT_EQ(base64_encode(r.application->photo), j["photo"].get<std::string>());
  EXPECT_EQ(r.content_hash.size(), 64u);
}

TEST_F(ValidatorTest, ReportsEveryProblemAtOnce) {
  json j = valid_application();
  j["mobile"] = "12345";
  j["residence_district"] = "120101";
  j["ethnicity"] = "77";
  j["consents"]["disclaimer_agreed"] = false;
  j.erase("gender");
  const ValidationResult r = check(j);
  EXPECT_FALSE(r.application.has_value());
  EXPECT_EQ(r.errors.size(), 5u) << codes(r);
  for (const char* code :
       {"mobile.format", "residence_district.unknown_value", "ethnicity.unknown_value",
        "consents.disclaimer_not_agreed", "gender.missing"})
    EXPECT_TRUE(has_code(r, code)) << code << " in " << codes(r);
  EXPECT_EQ(r.application_id, j["application_id"]);
}

TEST_F(ValidatorTest, IdNumberRules) {
  json j = valid_application();
  std::string id = j["id_number"];
  id[17] = id[17] == '0' ? '1' : '0';
  j["id_number"] = id;
  EXPECT_TRUE(has_code(check(j), "id_number.checksum"));
  j["id_number"] = "11010519491231";
  EXPECT_TRUE(has_code(check(j), "id_number.format"));
  j["id_number"] = 110105194912310020;
  EXPECT_TRUE(has_code(check(j), "id_number.type"));
}

TEST_F(ValidatorTest, GenderAndBirthDateMustAgreeWithTheIdNumber) {
  json j = valid_application();
  j["id_number"] = "11010519491231002X";  // female, born 1949-12-31
  j["birth_date"] = "1949-12-31";
  j["gender"] = "female";
  j["id_valid_from"] = "2015-06-01";
  ASSERT_TRUE(check(j).valid()) << codes(check(j));
  j["id_number"] = "11010519491231002x";
  ASSERT_TRUE(check(j).valid()) << codes(check(j));
  EXPECT_EQ(check(j).application->id_number.str(), "11010519491231002X");
  j["gender"] = "male";
  EXPECT_TRUE(has_code(check(j), "gender.mismatch"));
  j["gender"] = "female";
  j["birth_date"] = "1949-12-30";
  EXPECT_TRUE(has_code(check(j), "id_number.birth_date_mismatch"));
  j["birth_date"] = "1949-02-30";
  EXPECT_TRUE(has_code(check(j), "birth_date.format"));
  j["gender"] = "unknown";
  EXPECT_TRUE(has_code(check(j), "gender.unknown_value"));
}

TEST_F(ValidatorTest, IdValidityDates) {
  json j = valid_application();
  j["id_valid_from"] = "2027-01-01";
  EXPECT_TRUE(has_code(check(j), "id_valid_from.in_future"));
  j["id_valid_from"] = "1930-01-01";
  EXPECT_TRUE(has_code(check(j), "id_valid_from.before_birth"));
  j = valid_application();
  j["id_valid_to"] = "长期";
  EXPECT_TRUE(check(j).valid());
  j.erase("id_valid_to");
  EXPECT_TRUE(check(j).valid());
  j["id_valid_to"] = "forever";
  EXPECT_TRUE(has_code(check(j), "id_valid_to.format"));
  j["id_valid_to"] = "1990-01-01";
  EXPECT_TRUE(has_code(check(j), "id_valid_to.before_valid_from"));
}

TEST_F(ValidatorTest, SubmittedAtMustBeRfc3339AndNotInTheFuture) {
  json j = valid_application();
  j["submitted_at"] = "2026-11-24T12:04:00+08:00";  // four minutes ahead: clock skew
  EXPECT_TRUE(check(j).valid());
  j["submitted_at"] = "2026-11-24T12:30:00+08:00";
  EXPECT_TRUE(has_code(check(j), "submitted_at.in_future"));
  j["submitted_at"] = "2026-11-24 09:30";
  EXPECT_TRUE(has_code(check(j), "submitted_at.format"));
}

TEST_F(ValidatorTest, NamesWithMiddleDotAndRareCharactersAreAccepted) {
  json j = valid_application();
  for (const char* name : {"阿依古丽·买买提", "王𠮷", "𪚥", "John Smith", "玛丽·居里", "李〇"}) {
    j["name"] = name;
    const auto r = check(j);
    ASSERT_TRUE(r.valid()) << name << ": " << codes(r);
    EXPECT_EQ(r.application->name, name);
  }
}

TEST_F(ValidatorTest, NameRules) {
  json j = valid_application();
  j["name"] = "王1明";
  EXPECT_TRUE(has_code(check(j), "name.invalid_character"));
  j["name"] = "王\t明";
  EXPECT_TRUE(has_code(check(j), "name.invalid_character"));
  j["name"] = "·王明";
  EXPECT_TRUE(has_code(check(j), "name.separator"));
  j["name"] = "阿依古丽··买买提";
  EXPECT_TRUE(has_code(check(j), "name.separator"));
  j["name"] = "";
  EXPECT_TRUE(has_code(check(j), "name.length"));
  j["name"] = "王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王";  // 31
  EXPECT_TRUE(has_code(check(j), "name.length"));
}

TEST_F(ValidatorTest, NameIsCountedAfterNfc) {
  json j = valid_application();
  // "Zoe" with a combining diaeresis composes to one character under NFC.
  j["name"] = "Zoe\xCC\x88";
  const auto r = check(j);
  ASSERT_TRUE(r.valid()) << codes(r);
  EXPECT_EQ(r.application->name, "Zo\xC3\xAB");
}

TEST_F(ValidatorTest, UnsupportedAndUnknownIdTypes) {
  json j = valid_application();
  j["id_type"] = "hk_macao_permit";
  EXPECT_TRUE(has_code(check(j), "id_type.unsupported"));
  j["id_type"] = "foreign_permanent_resident_id";
  EXPECT_TRUE(has_code(check(j), "id_type.unsupported"));
  j["id_type"] = "passport";
  EXPECT_TRUE(has_code(check(j), "id_type.unknown_value"));
}

TEST_F(ValidatorTest, CollectionFollowsTheChannelRules) {
  json j = valid_application();
  j["channel"] = "jingtong";
  j["collection"] = "branch";
  j.erase("recipient");
  EXPECT_TRUE(check(j).valid()) << codes(check(j));
  for (const char* channel : {"website", "minsheng"}) {
    j["channel"] = channel;
    EXPECT_TRUE(has_code(check(j), "collection.not_allowed_for_channel")) << channel;
  }
  j["collection"] = "mail";
  EXPECT_TRUE(has_code(check(j), "recipient.missing"));
  j["collection"] = "drone";
  EXPECT_TRUE(has_code(check(j), "collection.unknown_value"));
  j["channel"] = "wechat";
  EXPECT_TRUE(has_code(check(j), "channel.unknown_value"));
}

TEST_F(ValidatorTest, RecipientFieldsAreCheckedForMail) {
  json j = valid_application();
  j["channel"] = "website";
  j["collection"] = "mail";
  j["recipient"] = {{"name", "张三"},
                    {"mobile", "13900001111"},
                    {"district", "110108"},
                    {"postal_code", "100080"},
                    {"address", "北京市海淀区中关村大街1号"}};
  ASSERT_TRUE(check(j).valid()) << codes(check(j));
  j["recipient"]["postal_code"] = "200001";
  j["recipient"]["mobile"] = "1390000111";
  j["recipient"]["district"] = "310101";
  j["recipient"].erase("address");
  const auto r = check(j);
  for (const char* code : {"recipient.postal_code.format", "recipient.mobile.format",
                           "recipient.district.unknown_value", "recipient.address.missing"})
    EXPECT_TRUE(has_code(r, code)) << code << " in " << codes(r);
}

TEST_F(ValidatorTest, FirstCardMustComeFromThePensionBank) {
  json j = valid_application();
  j["first_application"] = true;
  j["issuing_bank"] = "CCB";
  j["pension_bank"] = "ICBC";
  EXPECT_TRUE(has_code(check(j), "issuing_bank.must_equal_pension_bank"));
  j["issuing_bank"] = "ICBC";
  j["issuing_branch"] = "ICBC-110105-009";
  j["pension_branch"] = "ICBC-110105-001";
  EXPECT_TRUE(has_code(check(j), "issuing_branch.must_equal_pension_branch"));
  j["first_application"] = false;
  EXPECT_TRUE(check(j).valid()) << codes(check(j));
  j["first_application"] = "yes";
  EXPECT_TRUE(has_code(check(j), "first_application.type"));
}

TEST_F(ValidatorTest, MobileConsentsAndOptionalDefaults) {
  json j = valid_application();
  for (const char* bad : {"12345678901", "1381111222", "138111122223", "1381111222a"}) {
    j["mobile"] = bad;
    EXPECT_TRUE(has_code(check(j), "mobile.format")) << bad;
  }
  j = valid_application();
  j.erase("nationality");
  j.erase("occupation");
  const auto r = check(j);
  ASSERT_TRUE(r.valid()) << codes(r);
  EXPECT_EQ(r.application->nationality, "CHN");
  EXPECT_EQ(r.application->occupation, "retired");
  j["consents"]["declaration_agreed"] = false;
  EXPECT_TRUE(has_code(check(j), "consents.declaration_not_agreed"));
  j.erase("consents");
  EXPECT_TRUE(has_code(check(j), "consents.missing"));
}

TEST_F(ValidatorTest, MalformedDocumentsGetAClearCode) {
  const std::string good = valid_application().dump();
  auto r = validator_.validate(good.substr(0, good.size() / 2));
  EXPECT_TRUE(has_code(r, "json.malformed"));
  EXPECT_EQ(r.application_id, valid_application()["application_id"])
      << "id salvaged from the broken text";
  EXPECT_TRUE(has_code(validator_.validate(""), "json.malformed"));
  EXPECT_TRUE(has_code(validator_.validate("[1,2]"), "json.not_object"));
  EXPECT_TRUE(has_code(validator_.validate("{\"name\": \"\xC3\x28\"}"), "json.invalid_utf8"));
  ApplicationValidator small{
      ValidatorOptions{[] { return kNow; }, 300, 1000, cardd::test::shipped_region().rules}};
  EXPECT_TRUE(has_code(small.validate(good), "json.too_large"));
}

TEST_F(ValidatorTest, OnlyTheTopLevelIdIsSalvagedFromABrokenDocument) {
  // The operator's case: a nested id must not stand for the document.
  auto r = validator_.validate(
      R"({"recipient":{"application_id":"BJ-3-00000777"},"application_id":"BJ-3-66666666","name":oops})");
  EXPECT_TRUE(has_code(r, "json.malformed"));
  EXPECT_EQ(r.application_id, "BJ-3-66666666");
  r = validator_.validate(R"({"recipient":{"application_id":"BJ-3-00000777"},"name":oops})");
  EXPECT_EQ(r.application_id, "") << "no top-level id: nothing salvaged";
  r = validator_.validate(R"({"note":"x\"application_id\":\"BJ-1\"","application_id":"BJ-2",)");
  EXPECT_EQ(r.application_id, "BJ-2") << "an id inside a string value is text, not a key";
  r = validator_.validate(R"({"application_id":"BJ-1","application_id":"BJ-2",)");
  EXPECT_EQ(r.application_id, "") << "named twice: names nothing";
}

TEST_F(ValidatorTest, DuplicateKeysAreRefusedAtAnyDepth) {
  const std::string good = valid_application().dump();
  const std::string id = valid_application()["application_id"];
  // A second top-level "name" just after the opening brace.
  auto r = validator_.validate("{\"name\":\"张三\"," + good.substr(1));
  ASSERT_TRUE(has_code(r, "json.duplicate_key")) << codes(r);
  EXPECT_EQ(r.application_id, id) << "the top-level id still names the rejected document";
  EXPECT_NE(r.errors[0].message.find("name"), std::string::npos) << r.errors[0].message;
  auto j = valid_application();
  j["recipient"] = {{"name", "李四"}};
  std::string nested = j.dump();
  const auto at = nested.find("{\"name\":\"李四\"}");
  ASSERT_NE(at, std::string::npos);
  nested.replace(at, std::string("{\"name\":\"李四\"}").size(),
                 "{\"name\":\"李四\",\"name\":\"王五\"}");
  r = validator_.validate(nested);
  ASSERT_TRUE(has_code(r, "json.duplicate_key")) << codes(r);
  EXPECT_NE(r.errors[0].message.find("recipient.name"), std::string::npos) << r.errors[0].message;
  EXPECT_FALSE(has_code(validator_.validate(good), "json.duplicate_key"));
}

TEST_F(ValidatorTest, OnlyTheTopLevelIdOfABrokenDocumentCounts) {
  auto r = validator_.validate(
      R"({"recipient":{"application_id":"BJ-3-00000777"},"application_id":"BJ-3-66666666","name":oops})");
  EXPECT_TRUE(has_code(r, "json.malformed"));
  EXPECT_EQ(r.application_id, "BJ-3-66666666");
  r = validator_.validate(R"({"recipient":{"application_id":"BJ-3-00000777"},"name":oops})");
  EXPECT_TRUE(has_code(r, "json.malformed"));
  EXPECT_EQ(r.application_id, "") << "a nested id names someone else";
  r = validator_.validate(
      R"({"note":"\"application_id\":\"BJ-3-1\"", "application_id" : "BJ-3-2",)");
  EXPECT_EQ(r.application_id, "BJ-3-2") << "text inside a string is not a key";
  r = validator_.validate(R"({"application_id":"BJ-3-1","application_id":"BJ-3-2",)");
  EXPECT_EQ(r.application_id, "") << "two ids: neither is trusted";
  r = validator_.validate(R"(["x","application_id":"BJ-3-1",)");
  EXPECT_EQ(r.application_id, "") << "a top-level array has no keys";
  r = validator_.validate(R"([{"application_id":"BJ-3-1"},)");
  EXPECT_EQ(r.application_id, "");
}

TEST_F(ValidatorTest, DuplicateKeysAtAnyDepthAreAnError) {
  const std::string good = valid_application().dump();
  ASSERT_TRUE(validator_.validate(good).errors.empty());
  // The same key again at the top level, with another value.
  auto top = validator_.validate(good.substr(0, good.size() - 1) + R"(,"name":"李四"})");
  EXPECT_TRUE(has_code(top, "json.duplicate_key"));
  EXPECT_EQ(top.application_id, valid_application()["application_id"]);
  // Nested in an object and in an array of objects.
  json nested = valid_application();
  nested["extra"] = json::object({{"x", 1}});
  std::string text = nested.dump();
  const auto at = text.find(R"("x":1)");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, R"("x":2,)");
  EXPECT_TRUE(has_code(validator_.validate(text), "json.duplicate_key")) << text;
  EXPECT_TRUE(has_code(validator_.validate(R"({"list":[{"a":1,"a":1}]})"), "json.duplicate_key"));
  // Equal keys in different objects are not duplicates.
  nested["other"] = json::object({{"x", 1}});
  EXPECT_FALSE(has_code(validator_.validate(nested.dump()), "json.duplicate_key"));
  // A key spelled with an escape is the same key.
  EXPECT_TRUE(has_code(validator_.validate(R"({"a":1,"\u0061":2})"), "json.duplicate_key"));
}

TEST_F(ValidatorTest, WrongTypesAreReportedPerField) {
  json j = valid_application();
  j["name"] = 42;
  j["consents"] = "yes";
  j["recipient"] = nullptr;
  j["collection"] = "mail";
  const auto r = check(j);
  EXPECT_TRUE(has_code(r, "name.type")) << codes(r);
  EXPECT_TRUE(has_code(r, "consents.type")) << codes(r);
  EXPECT_TRUE(has_code(r, "recipient.missing")) << codes(r);
}

TEST_F(ValidatorTest, ApplicationIdFormat) {
  json j = valid_application();
  j["application_id"] = "BJ 2026/1";
  EXPECT_TRUE(has_code(check(j), "application_id.format"));
  j["application_id"] = std::string(65, 'A');
  EXPECT_TRUE(has_code(check(j), "application_id.format"));
  j["application_id"] = std::string(64, 'A');
  EXPECT_TRUE(check(j).valid());
}

TEST_F(ValidatorTest, ContentHashIgnoresWhiteSpaceButNotContent) {
  const json j = valid_application();
  const auto compact = validator_.validate(j.dump());
  const auto pretty = validator_.validate(j.dump(2));
  EXPECT_EQ(compact.content_hash, pretty.content_hash);
  json changed = j;
  changed["mobile"] = "13900000000";
  EXPECT_NE(validator_.validate(changed.dump()).content_hash, compact.content_hash);
}

TEST_F(ValidatorTest, EveryGeneratedInvalidKindIsDetectedWithItsCode) {
  const testdata::Generator generator(cardd::test::generator_options(9, 1.0, true, "INV"));
  std::set<std::string> seen;
  for (std::uint64_t i = 0; i < 400; ++i) {
    const auto app = generator.make(i);
    ASSERT_FALSE(app.expected_error.empty());
    const auto r = validator_.validate(app.json);
    EXPECT_TRUE(has_code(r, app.expected_error))
        << app.application_id << " expected " << app.expected_error << " got " << codes(r);
    seen.insert(app.expected_error);
  }
  EXPECT_EQ(seen.size(), testdata::Generator::invalid_kinds(true).size());
}

TEST_F(ValidatorTest, GeneratedValidApplicationsAllPass) {
  const testdata::Generator generator(cardd::test::generator_options(11, 0.0, false, "OK"));
  for (std::uint64_t i = 0; i < 300; ++i) {
    const auto app = generator.make(i);
    const auto r = validator_.validate(app.json);
    EXPECT_TRUE(r.valid()) << app.application_id << ": " << codes(r);
  }
}

}  // namespace
}  // namespace cardd::intake::test
