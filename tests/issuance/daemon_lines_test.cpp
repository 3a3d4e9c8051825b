// `cardctl line pause|resume|status` against a running cardd: the flag goes
// through the database, the daemon's line takes no card while paused and
// makes every card once resumed.
#include <gtest/gtest.h>

#include "daemon_fixture.h"
#include "ipp_test_support.h"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;

constexpr int kApplications = 4;

class DaemonLines : public DaemonFixture {
 protected:
  RunResult line(std::vector<std::string> args) {
    args.insert(args.begin(), {"line", "--config", config_path()});
    return cardctl(std::move(args));
  }
};

TEST_F(DaemonLines, APausedLineTakesNoCardUntilResumed) {
  SimProcess sim({"--count", std::to_string(kApplications), "--seed", "11", "--invalid-rate", "0",
                  "--log-level", "warn"});
  printer::test::IppDaemons daemons;
  printer::test::IppEvePrinter printer(dir_.path() / "spool", printer::test::free_port());
  printer.start();
  write_config(sim.url(), printer.uri());

  // Names are checked against cardd's configuration.
  auto unknown = line({"pause", "line-9"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no line 'line-9'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("line-1"), std::string::npos) << "names the lines there are";
  auto bad_slot = line({"pause", "line-1", "--slot", "Virtual PCD 07 07"});
  EXPECT_EQ(bad_slot.exit_code, 2);
  EXPECT_NE(bad_slot.err.find(kSlot0), std::string::npos) << bad_slot.err;

  // Paused before the daemon starts: the line must not take a single card.
  auto paused = line({"pause", "line-1"});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  auto cardd = start_cardd();
  ASSERT_TRUE(eventually([&] { return total() == kApplications; }, 20s)) << cardd.stderr_text();
  // Long enough for both slots to have taken a card had they been free.
  std::this_thread::sleep_for(3s);
  auto c = counts();
  EXPECT_EQ(c[db::AppState::validated] + c[db::AppState::queued], kApplications);
  EXPECT_EQ(stock().used + stock().in_progress + stock().spoiled, 0);
  auto status = line({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("paused, 0 made"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("(line by "), std::string::npos) << status.out;

  auto resumed = line({"resume", "line-1"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  ASSERT_TRUE(eventually([&] { return all_done(kApplications); }, 90s)) << cardd.stderr_text();
  expect_one_good_card_each();
  expect_bureau_heard_everything(sim);
  status = line({"status"});
  EXPECT_EQ(status.out.find("yes"), std::string::npos) << status.out;

  // Both changes are in the audit log, with who made them.
  EXPECT_EQ(db::test::text(db_path(),
                           "SELECT group_concat(action, ' ') FROM audit_log WHERE "
                           "action LIKE 'line.%'"),
            "line.pause line.resume");
  EXPECT_EQ(::kill(cardd.pid(), SIGTERM), 0);
  EXPECT_EQ(cardd.wait(), 0) << cardd.stderr_text();
}

}  // namespace
}  // namespace cardd::test
