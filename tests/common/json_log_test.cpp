// log.format = "json": every line one JSON object, whatever the message holds.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cardd/common/logging.h"
#include "child_process.h"

namespace cardd {
namespace {

TEST(JsonLogTest, EveryLineIsAJsonObjectCarryingTheMessage) {
  const test::TempDir dir;
  const std::string file = (dir.path() / "cardd.log").string();
  configure_logging("info", file, LogFormat::json);
  const std::string tricky = "quote \" backslash \\ newline \n tab \t bell \a 汉字";
  spdlog::info("{}", tricky);
  spdlog::warn("second");
  spdlog::debug("below the level");
  spdlog::default_logger()->flush();
  configure_logging("warn");  // back to text on stderr, the file closed

  std::ifstream in(file);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    auto json = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << line;
    lines.push_back(json);
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("msg"), tricky);
  EXPECT_EQ(lines[0].at("level"), "info");
  EXPECT_EQ(lines[0].at("logger"), "cardd");
  const std::string time = lines[0].at("time");
  EXPECT_EQ(time.size(), std::string("2026-11-30T13:10:00.123Z").size()) << time;
  EXPECT_EQ(time.back(), 'Z') << time;
  EXPECT_EQ(lines[1].at("msg"), "second");
  EXPECT_EQ(lines[1].at("level"), "warning");
}

}  // namespace
}  // namespace cardd
