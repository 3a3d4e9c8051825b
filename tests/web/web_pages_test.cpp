// The web pages in a real browser: Debian's Chromium, headless, driven by
// playwright-core (pages.test.mjs) against the cardd daemon on 127.0.0.1.
// This test makes the center the pages show (a mailed card with a courier
// event, three cards dispatched to two branches, a blank-card lot), hands
// the browser script its tokens and ids, and then checks in the database
// what the clicks did: a hand-over made, a refused one audited.
#include <gtest/gtest.h>

#include <filesystem>

#include "bureau_photo.h"
#include "child_process.h"
#include "daemon_api_fixture.h"

namespace cardd::server {
namespace {

constexpr const char* kHolderId = "11010519491231002X";       // 王小明, branch 0101
constexpr const char* kOtherHolderId = "110105195001011234";  // 李四, branch 0101

class WebPagesTest : public DaemonApiTest {
 protected:
  // With a real photo: the application page shows the card face's back.
  static db::NewApplication at_branch(const std::string& id, const std::string& branch,
                                      const std::string& name, const std::string& id_number) {
    db::NewApplication a = DaemonApiTest::at_branch(id, branch, name, id_number);
    a.personal.photo = test::bureau_photo();
    return a;
  }
};

TEST_F(WebPagesTest, OperatorsAndClerksDoTheirWorkInTheBrowser) {
  db::NewApplication mailed = db::test::sample("WEB-MAIL");
  mailed.personal.photo = test::bureau_photo();  // the face's back shows it
  const std::string tracking = shipped(mailed);
  ASSERT_FALSE(tracking.empty());
  Client c(port());
  auto event =
      c.send(http::verb::post, "/api/v1/shipments/" + tracking + "/events", token("courier"),
             R"({"event_id":"web-1","event":"in_transit","occurred_at":)"
             R"("2026-12-01T08:00:00Z","detail":"北京分拨中心"})");
  ASSERT_EQ(event.status, 201u) << event.raw;
  produced(at_branch("WEB-BR-1", "0101", "王小明", kHolderId));
  produced(at_branch("WEB-BR-2", "0101", "李四", kOtherHolderId));
  produced(at_branch("WEB-BR-3", "0202", "张三", "110105195202025678"));
  for (const char* id : {"WEB-BR-1", "WEB-BR-2", "WEB-BR-3"})
    ASSERT_TRUE(reaches(id, db::AppState::dispatched)) << id << daemon_.log();
  const std::string op = token("operator");
  auto lot = c.send(http::verb::post, "/api/v1/stock/lots", op,
                    R"({"lot":"L-WEB-1","first_serial":"B0000001","count":40})");
  ASSERT_EQ(lot.status, 201u) << lot.raw;

  const auto shots = std::filesystem::path(CARDD_ARTIFACTS_DIR) / "web";
  std::filesystem::create_directories(shots);
  const nlohmann::json input = {{"url", "http://127.0.0.1:" + std::to_string(port())},
                                {"operator", op},
                                {"branch", token("branch", "0101")},
                                {"bureau", token("bureau")},
                                {"line", "line-1"},
                                {"slot", kSlotA},
                                {"mailed", "WEB-MAIL"},
                                {"tracking", tracking},
                                {"holder_id", kHolderId},
                                {"screenshots", shots.string()}};
  const auto run =
      test::run_command({"node", CARDD_WEB_SCRIPT}, input.dump(), std::chrono::minutes(5));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err << daemon_.log();

  EXPECT_EQ(store_->status("WEB-BR-1")->state, db::AppState::collected)
      << "handed over in the browser";
  EXPECT_EQ(store_->status("WEB-BR-2")->state, db::AppState::ready_for_pickup)
      << "a wrong ID number hands nothing over";
  EXPECT_EQ(store_->status("WEB-BR-3")->state, db::AppState::dispatched)
      << "another branch's card is not received here";
  EXPECT_EQ(audited("collect.refused"), 1) << "the refused hand-over is audited";
  EXPECT_GE(audited("api.refused"), 1) << "the clerk's call for another branch is audited";
  auto controls = store_->line_controls();
  ASSERT_TRUE(controls.ok());
  EXPECT_FALSE(db::paused(*controls, "line-1", "")) << "paused, then resumed, in the browser";
  for (const char* page : {"sign-in", "dashboard", "dashboard-paused", "application", "counter",
                           "hand-over-refused", "receipt", "counter-en"})
    EXPECT_TRUE(std::filesystem::is_regular_file(shots / (std::string(page) + ".png"))) << page;
}

}  // namespace
}  // namespace cardd::server
