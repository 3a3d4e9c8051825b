// The test-data generator: deterministic, realistic, and each invalid
// application breaks exactly the one rule it claims to break. The checks here
// are an independent reading of spec/application.md, not the validator's code.
#include "cardd/testdata/generator.h"
#include "test_places.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using cardd::testdata::GeneratedApplication;
using cardd::testdata::Generator;
using cardd::testdata::GeneratorOptions;
using nlohmann::json;

const std::set<std::string> kDistricts = {
    "110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111",
    "110112", "110113", "110114", "110115", "110116", "110117", "110118", "110119"};

std::optional<std::string> base64_decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (const char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    const std::size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFFU);
    }
  }
  if (padding > 2) return std::nullopt;
  return out;
}

struct JpegFrame {
  int marker = 0;
  int precision = 0;
  int width = 0;
  int height = 0;
  int components = 0;
};

// The first start-of-frame segment, walking the markers from SOI.
std::optional<JpegFrame> jpeg_frame(const std::string& bytes) {
  const auto b = [&](std::size_t i) {
    return static_cast<int>(static_cast<unsigned char>(bytes[i]));
  };
  if (bytes.size() < 4 || b(0) != 0xFF || b(1) != 0xD8) return std::nullopt;
  std::size_t i = 2;
  while (i + 4 <= bytes.size()) {
    if (b(i) != 0xFF) return std::nullopt;
    const int marker = b(i + 1);
    const auto length = static_cast<std::size_t>(b(i + 2) * 256 + b(i + 3));
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (i + 10 > bytes.size()) return std::nullopt;
      return JpegFrame{marker, b(i + 4), b(i + 7) * 256 + b(i + 8), b(i + 5) * 256 + b(i + 6),
                       b(i + 9)};
    }
    if (marker == 0xDA) return std::nullopt;  // scan data before any frame
    i += 2 + length;
  }
  return std::nullopt;
}

std::u32string code_points(const std::string& utf8) {
  std::u32string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1FU) : n == 3 ? (c & 0x0FU) : (c & 0x07U);
    for (std::size_t k = 1; k < n && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3FU);
    }
    out += cp;
    i += n;
  }
  return out;
}

char expected_check(const std::string& first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return std::string("10X98765432")[static_cast<std::size_t>(sum % 11)];
}

// "YYYY-MM-DDTHH:MM:SS+08:00" of the present moment.
std::string now_beijing() {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
  return buf;
}

bool is_string(const json& j, const char* key) { return j.contains(key) && j.at(key).is_string(); }

// Every rule of the spec that the generator claims to break, checked
// independently; returns the codes of the rules that fail.
std::set<std::string> problems(const json& app) {
  std::set<std::string> out;
  static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
  static const std::regex kMobile(R"(1[3-9]\d{9})");
  static const std::regex kPostal(R"(10\d{4})");
  static const std::regex kId(R"([A-Za-z0-9_-]{1,64})");
  static const std::regex kTime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00)");
  for (const char* key : {"application_id",
                          "channel",
                          "submitted_at",
                          "name",
                          "id_type",
                          "id_number",
                          "id_valid_from",
                          "gender",
                          "birth_date",
                          "nationality",
                          "ethnicity",
                          "occupation",
                          "residence_district",
                          "residence_address",
                          "mobile",
                          "issuing_bank",
                          "issuing_branch",
                          "pension_bank",
                          "pension_branch",
                          "collection",
                          "photo",
                          "id_front",
                          "id_back"}) {
    if (!is_string(app, key)) out.insert(std::string("missing.") + key);
  }
  if (!out.empty()) return out;
  const auto s = [&](const char* key) { return app.at(key).get<std::string>(); };
  if (!std::regex_match(s("application_id"), kId)) out.insert("application_id.format");
  if (!std::regex_match(s("submitted_at"), kTime)) out.insert("submitted_at.format");
  if (s("submitted_at") > now_beijing()) out.insert("submitted_at.in_future");

  const std::u32string name = code_points(s("name"));
  const bool name_ok =
      !name.empty() && name.size() <= 30 && std::all_of(name.begin(), name.end(), [](char32_t c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
               (c >= 0x20000 && c <= 0x3134F) || c == 0xB7;
      });
  if (!name_ok) out.insert("name.invalid_character");

  if (s("id_type") != "resident_id") {
    out.insert("id_type.unsupported");
  } else {
    std::string id = s("id_number");
    const bool shape = id.size() == 18 && std::all_of(id.begin(), id.begin() + 17,
                                                      [](char c) { return c >= '0' && c <= '9'; });
    if (!shape) {
      out.insert("id_number.format");
      return out;
    }
    if (id[17] == 'x') id[17] = 'X';
    if (id[17] != expected_check(id.substr(0, 17))) out.insert("id_number.checksum");
    const std::string birth = id.substr(6, 4) + "-" + id.substr(10, 2) + "-" + id.substr(12, 2);
    if (birth != s("birth_date")) out.insert("id_number.birth_date_mismatch");
    const bool male = (id[16] - '0') % 2 == 1;
    if (s("gender") != (male ? "male" : "female")) out.insert("gender.mismatch");
  }
  if (!std::regex_match(s("birth_date"), kDate)) out.insert("birth_date.format");
  if (!std::regex_match(s("id_valid_from"), kDate) || s("id_valid_from") < s("birth_date") ||
      s("id_valid_from") > now_beijing()) {
    out.insert("id_valid_from.invalid");
  }
  if (app.contains("id_valid_to") && s("id_valid_to") != "长期" &&
      !std::regex_match(s("id_valid_to"), kDate)) {
    out.insert("id_valid_to.format");
  }
  if (s("gender") != "male" && s("gender") != "female") out.insert("gender.unknown_value");
  if (s("nationality") != "CHN") out.insert("nationality");
  if (!std::regex_match(s("ethnicity"), std::regex(R"(\d{2})"))) out.insert("ethnicity");
  if (s("occupation") != "retired") out.insert("occupation");
  if (kDistricts.count(s("residence_district")) == 0)
    out.insert("residence_district.unknown_value");
  const std::size_t address_length = code_points(s("residence_address")).size();
  if (address_length < 1 || address_length > 120) out.insert("residence_address.length");
  if (!std::regex_match(s("mobile"), kMobile)) out.insert("mobile.format");

  if (!app.at("first_application").is_boolean()) out.insert("first_application.type");
  if (app.at("first_application").get<bool>()) {
    if (s("issuing_bank") != s("pension_bank")) out.insert("issuing_bank.must_equal_pension_bank");
    if (s("issuing_branch") != s("pension_branch")) out.insert("issuing_branch.must_equal");
  }

  const std::string channel = s("channel");
  const std::string collection = s("collection");
  if (channel != "website" && channel != "jingtong" && channel != "minsheng") out.insert("channel");
  if (collection != "mail" && collection != "branch") out.insert("collection.unknown_value");
  if (collection == "branch" && channel != "jingtong")
    out.insert("collection.not_allowed_for_channel");
  if (collection == "mail") {
    if (!app.contains("recipient")) {
      out.insert("recipient.missing");
    } else {
      const json& r = app.at("recipient");
      for (const char* key : {"name", "mobile", "district", "postal_code", "address"}) {
        if (!is_string(r, key)) out.insert(std::string("recipient.missing_") + key);
      }
      if (!std::regex_match(r.at("postal_code").get<std::string>(), kPostal)) {
        out.insert("recipient.postal_code.format");
      }
      if (!std::regex_match(r.at("mobile").get<std::string>(), kMobile))
        out.insert("recipient.mobile");
      if (kDistricts.count(r.at("district").get<std::string>()) == 0)
        out.insert("recipient.district");
    }
  } else if (app.contains("recipient")) {
    out.insert("recipient.unexpected");  // the generator never sends one for branch pickup
  }

  const auto photo = base64_decode(s("photo"));
  if (!photo) {
    out.insert("photo.base64");
  } else if (const auto frame = jpeg_frame(*photo); !frame) {
    out.insert("photo.not_jpeg");
  } else {
    if (photo->size() < 20480) out.insert("photo.too_small");
    if (frame->width != 358 || frame->height != 441) out.insert("photo.dimensions");
    if (frame->components != 3) out.insert("photo.colour_space");
    if (frame->precision != 8) out.insert("photo.precision");
  }
  for (const char* key : {"id_front", "id_back"}) {
    const auto image = base64_decode(s(key));
    if (!image || !jpeg_frame(*image)) out.insert(std::string(key) + ".not_jpeg");
  }

  const json consents = app.value("consents", json::object());
  if (!consents.value("disclaimer_agreed", false)) out.insert("consents.disclaimer_not_agreed");
  if (!consents.value("declaration_agreed", false)) out.insert("consents.declaration_not_agreed");
  return out;
}

// Constructing a generator encodes its image pools, so the suites share them.
class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    valid_ = std::make_unique<Generator>(cardd::test::generator_options(7, 0.0, false, "BJ"));
    invalid_ = std::make_unique<Generator>(cardd::test::generator_options(7, 1.0, true, "BJ"));
  }
  static void TearDownTestSuite() {
    valid_.reset();
    invalid_.reset();
    valid_apps_.clear();
  }
  // The first 400 valid applications of seed 7, parsed once.
  static const std::vector<json>& valid_apps() {
    if (valid_apps_.empty()) {
      for (std::uint64_t i = 0; i < 400; ++i) {
        const GeneratedApplication app = valid_->make(i);
        EXPECT_TRUE(app.expected_error.empty());
        EXPECT_EQ(app.json.find('\n'), std::string::npos);
        valid_apps_.push_back(json::parse(app.json));
      }
    }
    return valid_apps_;
  }
  static std::unique_ptr<Generator> valid_;
  static std::unique_ptr<Generator> invalid_;
  static std::vector<json> valid_apps_;
};

std::unique_ptr<Generator> GeneratorTest::valid_;
std::unique_ptr<Generator> GeneratorTest::invalid_;
std::vector<json> GeneratorTest::valid_apps_;

TEST_F(GeneratorTest, SameSeedAndIndexGiveIdenticalBytes) {
  const Generator again(cardd::test::generator_options(7, 0.0, false, "BJ"));
  const Generator other_seed(cardd::test::generator_options(8, 0.0, false, "BJ"));
  for (std::uint64_t i = 0; i < 50; ++i) {
    const GeneratedApplication a = valid_->make(i);
    EXPECT_EQ(a.json, valid_->make(i).json);
    EXPECT_EQ(a.json, again.make(i).json) << i;
    EXPECT_NE(a.json, other_seed.make(i).json) << i;
    EXPECT_NE(a.json, valid_->make(i + 1).json) << i;
  }
}

TEST_F(GeneratorTest, InvalidOnesAreDeterministicToo) {
  const Generator again(cardd::test::generator_options(7, 1.0, true, "BJ"));
  for (std::uint64_t i = 0; i < 40; ++i) {
    const GeneratedApplication a = invalid_->make(i);
    const GeneratedApplication b = again.make(i);
    EXPECT_EQ(a.json, b.json);
    EXPECT_EQ(a.expected_error, b.expected_error);
  }
}

TEST_F(GeneratorTest, MakeIsSafeFromSeveralThreads) {
  std::vector<std::string> first(64);
  std::vector<std::string> second(64);
  std::thread t([&] {
    for (std::size_t i = 0; i < 64; ++i) first[i] = invalid_->make(i).json;
  });
  for (std::size_t i = 0; i < 64; ++i) second[i] = invalid_->make(i).json;
  t.join();
  EXPECT_EQ(first, second);
}

TEST_F(GeneratorTest, ApplicationIdsFollowPrefixSeedIndex) {
  EXPECT_EQ(valid_->make(42).application_id, "BJ-7-00000042");
  const Generator custom(cardd::test::generator_options(123, 0.0, false, "TEST_x"));
  const GeneratedApplication app = custom.make(5);
  EXPECT_EQ(app.application_id, "TEST_x-123-00000005");
  EXPECT_EQ(json::parse(app.json).at("application_id"), "TEST_x-123-00000005");
}

TEST_F(GeneratorTest, ValidApplicationsPassEveryRule) {
  for (std::size_t i = 0; i < valid_apps().size(); ++i) {
    const json& app = valid_apps()[i];
    EXPECT_EQ(problems(app), std::set<std::string>{}) << app.at("application_id");
    EXPECT_EQ(app.at("application_id"), valid_->make(i).application_id);
    EXPECT_EQ(app.at("id_type"), "resident_id");
    EXPECT_EQ(app.at("nationality"), "CHN");
    EXPECT_EQ(app.at("occupation"), "retired");
    EXPECT_EQ(app.at("consents"),
              json::parse(R"({"disclaimer_agreed":true,"declaration_agreed":true})"));
  }
}

TEST_F(GeneratorTest, IdNumbersAreValidAndAgreeWithGenderAndBirthDate) {
  int lower_x = 0;
  int upper_x = 0;
  for (const json& app : valid_apps()) {
    const std::string id = app.at("id_number");
    ASSERT_EQ(id.size(), 18U);
    EXPECT_EQ(std::toupper(id[17]), expected_check(id.substr(0, 17))) << id;
    const bool male = (id[16] - '0') % 2 == 1;
    EXPECT_EQ(app.at("gender"), male ? "male" : "female") << id;
    EXPECT_EQ(app.at("birth_date"),
              id.substr(6, 4) + "-" + id.substr(10, 2) + "-" + id.substr(12, 2));
    const int year = std::stoi(id.substr(6, 4));
    EXPECT_GE(year, 1940);
    EXPECT_LE(year, 1966);
    lower_x += id[17] == 'x';
    upper_x += id[17] == 'X';
  }
  EXPECT_GT(upper_x, 0);
  EXPECT_GT(lower_x, 0);
}

TEST_F(GeneratorTest, CollectionFollowsChannelAndRecipientOnlyForMail) {
  std::map<std::string, int> seen;
  std::set<std::string> districts;
  for (const json& app : valid_apps()) {
    const std::string channel = app.at("channel");
    const std::string collection = app.at("collection");
    if (channel != "jingtong") {
      EXPECT_EQ(collection, "mail") << channel;
    }
    EXPECT_EQ(app.contains("recipient"), collection == "mail");
    ++seen[channel + "/" + collection];
    districts.insert(app.at("residence_district").get<std::string>());
  }
  EXPECT_EQ(seen.size(), 4U);  // website/mail, minsheng/mail, jingtong/{mail,branch}
  EXPECT_GT(seen["jingtong/branch"], 0);
  EXPECT_EQ(districts, kDistricts);
}

TEST_F(GeneratorTest, PhotosAreBaselineColourJpegsOfTheRightSize) {
  for (const json& app : valid_apps()) {
    const auto photo = base64_decode(app.at("photo"));
    ASSERT_TRUE(photo);
    const auto frame = jpeg_frame(*photo);
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->marker, 0xC0);  // SOF0, baseline
    EXPECT_EQ(frame->width, 358);
    EXPECT_EQ(frame->height, 441);
    EXPECT_EQ(frame->components, 3);
    EXPECT_EQ(frame->precision, 8);
    EXPECT_GE(photo->size(), 20480U);
    for (const char* key : {"id_front", "id_back"}) {
      const auto image = base64_decode(app.at(key));
      ASSERT_TRUE(image);
      EXPECT_TRUE(jpeg_frame(*image)) << key;
    }
  }
}

TEST_F(GeneratorTest, NamesIncludeMinorityAndRareCharacters) {
  int with_dot = 0;
  int outside_bmp = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const std::string line = valid_->make(i).json;
    // The applicant's name is the first "name" key (the recipient's comes later).
    const std::string key = "\"name\":\"";
    const std::size_t start = line.find(key) + key.size();
    const std::u32string name = code_points(line.substr(start, line.find('"', start) - start));
    EXPECT_GE(name.size(), 1U);
    EXPECT_LE(name.size(), 30U);
    EXPECT_TRUE(
        std::none_of(name.begin(), name.end(), [](char32_t c) { return c >= U'0' && c <= U'9'; }));
    with_dot += name.find(U'\u00B7') != std::u32string::npos;
    outside_bmp += std::any_of(name.begin(), name.end(), [](char32_t c) { return c > 0xFFFF; });
  }
  EXPECT_GT(with_dot, 40);     // ~5 %
  EXPECT_GT(outside_bmp, 20);  // ~3 %
}

TEST_F(GeneratorTest, ZeroInvalidRateNeverClaimsAnError) {
  const Generator generator(cardd::test::generator_options(99, 0.0, true, "BJ"));
  for (std::uint64_t i = 0; i < 300; ++i) EXPECT_TRUE(generator.make(i).expected_error.empty());
}

TEST_F(GeneratorTest, ValidContentDoesNotDependOnInvalidRate) {
  const Generator mixed(cardd::test::generator_options(7, 0.3, true, "BJ"));
  int compared = 0;
  for (std::uint64_t i = 0; i < 100; ++i) {
    const GeneratedApplication app = mixed.make(i);
    if (!app.expected_error.empty()) continue;
    EXPECT_EQ(app.json, valid_->make(i).json);
    ++compared;
  }
  EXPECT_GT(compared, 50);
  EXPECT_LT(compared, 90);
}

TEST_F(GeneratorTest, InvalidKindsListsEveryCode) {
  const auto& without = Generator::invalid_kinds(false);
  const auto& with = Generator::invalid_kinds(true);
  EXPECT_EQ(without.size(), 17U);
  EXPECT_EQ(with.size(), 18U);
  EXPECT_EQ(std::count(without.begin(), without.end(), "json.malformed"), 0);
  EXPECT_EQ(std::count(with.begin(), with.end(), "json.malformed"), 1);
}

TEST_F(GeneratorTest, EachInvalidApplicationBreaksExactlyItsRule) {
  std::map<std::string, int> seen;
  for (std::uint64_t i = 0; i < 720; ++i) {
    const GeneratedApplication generated = invalid_->make(i);
    ASSERT_FALSE(generated.expected_error.empty()) << i;
    ++seen[generated.expected_error];
    EXPECT_EQ(generated.application_id,
              "BJ-7-" + std::string(8 - std::to_string(i).size(), '0') + std::to_string(i));
    if (generated.expected_error == "json.malformed") {
      EXPECT_FALSE(json::accept(generated.json));
      EXPECT_EQ(generated.json.rfind("{\"application_id\":\"" + generated.application_id + "\"", 0),
                0U);
      continue;
    }
    const json app = json::parse(generated.json);
    EXPECT_EQ(problems(app), std::set<std::string>{generated.expected_error})
        << generated.application_id;
  }
  for (const std::string& kind : Generator::invalid_kinds(true)) {
    EXPECT_GT(seen[kind], 0) << kind;
  }
  EXPECT_EQ(seen.size(), Generator::invalid_kinds(true).size());
}

TEST_F(GeneratorTest, WithoutMalformedEveryLineIsJson) {
  const Generator generator(cardd::test::generator_options(5, 1.0, false, "BJ"));
  for (std::uint64_t i = 0; i < 200; ++i) {
    const GeneratedApplication app = generator.make(i);
    EXPECT_NE(app.expected_error, "json.malformed");
    EXPECT_TRUE(json::accept(app.json)) << app.application_id;
  }
}

}  // namespace
