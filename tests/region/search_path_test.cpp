// Regions are found through a search path: configured folders first, then
// $CARDD_PROFILE_PATH, then <bin>/../share/cardd/profiles. Nothing is
// compiled in; a region that is nowhere says where it was looked for.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cardd/region/search_path.h"
#include "child_process.h"
#include "regions.h"

namespace cardd::region {
namespace {

namespace fs = std::filesystem;

// A copy of the shipped Beijing folder under `root`/`name`, its name changed.
fs::path copy_region(const fs::path& root, const std::string& name, const std::string& city) {
  const fs::path to = root / name;
  fs::create_directories(to);
  fs::copy(test::shipped_region("beijing").folder, to, fs::copy_options::recursive);
  std::ifstream in(to / "region.toml");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  in.close();
  text.replace(text.find("name = \"北京市\""), std::string("name = \"北京市\"").size(),
               "name = \"" + city + "\"");
  std::ofstream(to / "region.toml", std::ios::trunc) << text;
  return to;
}

TEST(SearchPath, EndsAtTheInstalledFolderNextToTheExecutable) {
  const SearchPath path = SearchPath::standard();
  ASSERT_FALSE(path.folders().empty());
  EXPECT_EQ(path.folders().back(),
            (executable_dir() / ".." / "share" / "cardd" / "profiles").lexically_normal());
  // The build tree links it to the source profiles: both shipped regions are there.
  EXPECT_TRUE(path.locate("beijing").ok());
  EXPECT_TRUE(path.locate("tianjin").ok());
}

TEST(SearchPath, AConfiguredFolderWinsOverTheInstalledOne) {
  test::TempDir dir;
  copy_region(dir.path() / "a", "beijing", "测试市");
  const SearchPath path = SearchPath::standard({(dir.path() / "a").string()});
  auto r = path.find("beijing");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->name, "测试市");
  EXPECT_EQ(r->folder, dir.path() / "a" / "beijing");
  // Not there: the next folder serves it.
  EXPECT_TRUE(path.find("tianjin").ok());
}

TEST(SearchPath, ColonSeparatedFoldersAreSearchedInOrder) {
  test::TempDir dir;
  copy_region(dir.path() / "first", "north", "第一市");
  copy_region(dir.path() / "second", "north", "第二市");
  copy_region(dir.path() / "second", "south", "第三市");
  const SearchPath path = SearchPath::standard({(dir.path() / "missing").string() + ":" +
                                                (dir.path() / "first").string() + ":" +
                                                (dir.path() / "second").string()});
  EXPECT_EQ(path.find("north")->name, "第一市");
  EXPECT_EQ(path.find("south")->name, "第三市");
}

TEST(SearchPath, TheEnvironmentComesAfterTheOption) {
  test::TempDir dir;
  copy_region(dir.path() / "env", "west", "环境市");
  copy_region(dir.path() / "opt", "west", "选项市");
  ::setenv("CARDD_PROFILE_PATH", (dir.path() / "env").c_str(), 1);
  const SearchPath with_option = SearchPath::standard({(dir.path() / "opt").string()});
  const SearchPath env_only = SearchPath::standard();
  ::unsetenv("CARDD_PROFILE_PATH");
  EXPECT_EQ(with_option.find("west")->name, "选项市");
  EXPECT_EQ(env_only.find("west")->name, "环境市");
}

TEST(SearchPath, AMissingRegionListsEveryFolderLookedIn) {
  const SearchPath path({"/nonexistent/one", "/nonexistent/two"});
  auto r = path.find("atlantis");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, RegionError::not_found);
  const std::string& m = r.error().message;
  EXPECT_NE(m.find("region \"atlantis\" not found"), std::string::npos) << m;
  EXPECT_NE(m.find("/nonexistent/one/atlantis"), std::string::npos) << m;
  EXPECT_NE(m.find("/nonexistent/two/atlantis"), std::string::npos) << m;
  EXPECT_NE(m.find("--profile-dir"), std::string::npos) << m;
}

TEST(SearchPath, RegionNamesCannotLeaveTheFolder) {
  const SearchPath path = SearchPath::standard();
  for (const char* bad : {"../beijing", "beijing/..", "", ".", "a b"})
    EXPECT_FALSE(path.locate(bad).ok()) << bad;
}

TEST(SearchPath, TheDefaultRegionIsTheOneItsLinkPointsTo) {
  auto r = SearchPath::standard().find(kDefaultRegion);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->id, "beijing");
}

TEST(SearchPath, CardctlSaysWhereItLooked) {
  const auto r = test::run_command({test::bin_path("cardctl"), "validate", "/dev/null", "--region",
                                    "atlantis", "--profile-dir", "/nonexistent/profiles"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("region \"atlantis\" not found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/profiles/atlantis"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("share/cardd/profiles/atlantis"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cardd::region
