// The validator enforces the rules of the region it is given, and the test-data
// generator makes applications of any region from its data alone.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cardd/intake/validator.h"
#include "regions.h"
#include "test_places.h"

namespace cardd::test {
namespace {

constexpr UnixSeconds kNow = 1795492800;  // 2026-11-24T04:00:00Z

intake::ValidatorOptions options(const std::string& region) {
  auto o = validator_options(region);
  o.clock = [] { return kNow; };
  return o;
}

bool has(const intake::ValidationResult& r, const std::string& field, const std::string& code) {
  for (const auto& e : r.errors)
    if (e.field == field && e.code == field + "." + code) return true;
  return false;
}

TEST(RegionRules, TianjinApplicationsAreValidInTianjinOnly) {
  const testdata::Generator gen(generator_options(3, 0.0, false, "", "tianjin"));
  intake::ApplicationValidator tianjin(options("tianjin"));
  intake::ApplicationValidator beijing(options("beijing"));
  for (std::uint64_t i = 0; i < 40; ++i) {
    const auto app = gen.make(i);
    EXPECT_EQ(app.application_id.rfind("TJ-3-", 0), 0u) << app.application_id;
    const auto j = nlohmann::json::parse(app.json);
    EXPECT_EQ(j["residence_district"].get<std::string>().substr(0, 4), "1201");
    EXPECT_EQ(j["residence_address"].get<std::string>().rfind("天津市", 0), 0u);
    EXPECT_NE(j["channel"], "jingtong");
    const auto ok = tianjin.validate(app.json);
    EXPECT_TRUE(ok.valid()) << app.json.substr(0, 400) << "\n" << ok.errors.front().code;
    const auto refused = beijing.validate(app.json);
    EXPECT_TRUE(has(refused, "residence_district", "unknown_value")) << i;
  }
}

TEST(RegionRules, CollectionAndChannelRulesComeFromTheRegion) {
  const testdata::Generator gen(generator_options(4, 0.0, false, "", "tianjin"));
  auto j = nlohmann::json::parse(gen.make(0).json);
  j["channel"] = "website";
  j["collection"] = "branch";
  j.erase("recipient");
  intake::ApplicationValidator tianjin(options("tianjin"));
  EXPECT_TRUE(tianjin.validate(j.dump()).valid()) << "Tianjin website applicants may pick up";
  j["channel"] = "minsheng";
  const auto minsheng = tianjin.validate(j.dump());
  EXPECT_TRUE(has(minsheng, "collection", "not_allowed_for_channel"));
  j["channel"] = "jingtong";
  const auto jingtong = tianjin.validate(j.dump());
  ASSERT_TRUE(has(jingtong, "channel", "unknown_value"));
  for (const auto& e : jingtong.errors) {
    if (e.field == "channel") {
      EXPECT_EQ(e.message, "must be one of website, minsheng");
    }
  }
}

TEST(RegionRules, PostalCodesFollowTheRegion) {
  const testdata::Generator gen(generator_options(5, 0.0, false, "", "tianjin"));
  for (std::uint64_t i = 0;; ++i) {
    auto j = nlohmann::json::parse(gen.make(i).json);
    if (j["collection"] != "mail") continue;
    intake::ApplicationValidator tianjin(options("tianjin"));
    j["recipient"]["postal_code"] = "100020";
    const auto r = tianjin.validate(j.dump());
    ASSERT_TRUE(has(r, "recipient.postal_code", "format"));
    for (const auto& e : r.errors) {
      if (e.field == "recipient.postal_code") {
        EXPECT_EQ(e.message, "must be a postal code of the region (6 digits starting with 30)");
      }
    }
    break;
  }
}

TEST(RegionRules, EveryInvalidKindBreaksItsRuleInTianjinToo) {
  const testdata::Generator gen(generator_options(6, 1.0, true, "", "tianjin"));
  intake::ApplicationValidator tianjin(options("tianjin"));
  for (std::uint64_t i = 0; i < 60; ++i) {
    const auto app = gen.make(i);
    const auto r = tianjin.validate(app.json);
    bool found = false;
    for (const auto& e : r.errors)
      found =
          found || e.code == app.expected_error || (e.field + "." + e.code) == app.expected_error;
    EXPECT_TRUE(found) << app.expected_error;
  }
}

TEST(RegionRules, EmptyRulesAcceptNoDistrict) {
  const testdata::Generator gen(generator_options(7));
  intake::ApplicationValidator none(
      intake::ValidatorOptions{[] { return kNow; }, 300, 32u * 1024u * 1024u, {}});
  const auto r = none.validate(gen.make(0).json);
  EXPECT_TRUE(has(r, "residence_district", "unknown_value"));
}

}  // namespace
}  // namespace cardd::test
