// A region is data: the shipped regions load, and a broken region.toml is
// refused with every problem, each naming the file, the key and the line.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cardd/region/region.h"
#include "regions.h"
#include "text_file.h"

namespace cardd::region {
namespace {

using test::replaced;

std::string shipped_text(const std::string& name) {
  return test::read_text(test::shipped_region(name).folder / "region.toml");
}

TEST(Region, BeijingLoads) {
  const Region& r = test::shipped_region("beijing");
  EXPECT_EQ(r.id, "beijing");
  EXPECT_EQ(r.code, "110000");
  EXPECT_EQ(r.utc_offset(), (UtcOffset{480}));
  EXPECT_EQ(r.rules.districts.size(), 16u);
  ASSERT_NE(r.rules.district("110105"), nullptr);
  EXPECT_EQ(r.rules.district("110105")->name, "朝阳区");
  EXPECT_EQ(r.bank_name("BOB"), "北京银行");
  ASSERT_NE(r.bank("ICBC"), nullptr);
  EXPECT_EQ(r.bank("ICBC")->bin, "621226");
  EXPECT_TRUE(r.rules.allows_branch(intake::Channel::jingtong));
  EXPECT_FALSE(r.rules.allows_branch(intake::Channel::website));
  EXPECT_TRUE(r.rules.postal_code_ok("100020"));
  EXPECT_FALSE(r.rules.postal_code_ok("300041"));
  EXPECT_TRUE(std::filesystem::is_regular_file(r.chip_profile()));
  EXPECT_TRUE(std::filesystem::is_regular_file(r.face_template()));
}

TEST(Region, TianjinLoadsWithItsOwnDistrictsBanksAndRules) {
  const Region& r = test::shipped_region("tianjin");
  EXPECT_EQ(r.code, "120000");
  EXPECT_EQ(r.name, "天津市");
  ASSERT_EQ(r.rules.districts.size(), 16u);
  EXPECT_EQ(r.rules.districts.front().code, "120101");
  EXPECT_EQ(r.rules.districts.front().name, "和平区");
  EXPECT_EQ(r.rules.district("120116")->name, "滨海新区");
  EXPECT_EQ(r.rules.district("110105"), nullptr);
  EXPECT_EQ(r.bank_name("TJB"), "天津银行");
  EXPECT_EQ(r.bank_name("BOHAI"), "渤海银行");
  EXPECT_EQ(r.bank("BOB"), nullptr);
  EXPECT_FALSE(r.rules.accepts(intake::Channel::jingtong));
  EXPECT_TRUE(r.rules.allows_branch(intake::Channel::website));
  EXPECT_TRUE(r.rules.postal_code_ok("300041"));
  EXPECT_FALSE(r.rules.postal_code_ok("100020"));
  EXPECT_NE(r.texts.letter_title.find("天津市"), std::string::npos);
}

TEST(Region, EveryProblemNamesFileKeyAndLine) {
  std::string text = shipped_text("beijing");
  text = replaced(text, "utc_offset = \"+08:00\"", "utc_offset = \"Asia/Shanghai\"");
  text = replaced(text, "\"110105\" = \"朝阳区\"", "\"120105\" = \"朝阳区\"");
  text = replaced(text, "bin = \"621700\"", "bin = \"62A700\"");
  text = replaced(text, "branch_channels = [\"jingtong\"]", "branch_channels = [\"wechat\"]");
  text = replaced(text, "label_sender = \"{bank} 社会保障卡发卡中心\"",
                  "label_sender = \"{bnak} 社会保障卡发卡中心\"");
  text = replaced(text, "courier = ", "carrier = ");
  auto r = parse_region(text, "profiles/x/region.toml", "profiles/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, RegionError::invalid);
  const std::string& m = r.error().message;
  EXPECT_EQ(m.rfind("profiles/x/region.toml: 7 problem(s)", 0), 0u) << m;
  for (const char* expected :
       {"region.utc_offset: must be a fixed offset such as \"+08:00\" (line 8)",
        "districts.120105: must lie in the region (start with 11) (line ",
        "banks[1].bin: must be 6 to 8 digits (line ",
        "collection.branch_channels[0]: must be website, jingtong or minsheng (line ",
        "texts.label_sender: unknown placeholder; this text may use {bank} (line ",
        "region.carrier: unknown key (line 11)", "region.courier: missing"})
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\n" << m;
}

TEST(Region, NotTomlIsUnreadableWithItsLine) {
  auto r = parse_region("[region]\ncode = \"110000\"\nname = [\n", "bad/region.toml", "bad");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, RegionError::unreadable);
  EXPECT_EQ(r.error().message.rfind("bad/region.toml:", 0), 0u) << r.error().message;
  auto missing = load_region("/nonexistent/region");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/region/region.toml"), std::string::npos);
}

TEST(Region, FillReplacesKnownPlaceholdersOnly) {
  EXPECT_EQ(fill("{bank} {branch} 网点", {{"bank", "天津银行"}, {"branch", "TJB-120101-001"}}),
            "天津银行 TJB-120101-001 网点");
  EXPECT_EQ(fill("{other} and {bank}", {{"bank", "B"}}), "{other} and B");
  EXPECT_EQ(fill("no placeholder", {{"bank", "B"}}), "no placeholder");
}

}  // namespace
}  // namespace cardd::region
