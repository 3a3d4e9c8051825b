// The service end to end with real processes: bureau-sim with applications
// (some invalid, mail and branch), pcscd with two vpcd slots each fed by a
// vcard hopper, ippeveprinter as the line's printer, and the cardd daemon.
// cardd pulls, makes every card, ships and dispatches them and tells the
// bureau every change; then it stops on SIGTERM with exit 0.
#include <gtest/gtest.h>

#include "daemon_fixture.h"
#include "ipp_test_support.h"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;

constexpr int kApplications = 16;

using DaemonEndToEnd = DaemonFixture;

TEST_F(DaemonEndToEnd, EveryApplicationEndsWithOneCardShippedOrDispatchedAndTheBureauKnows) {
  SimProcess sim({"--count", std::to_string(kApplications), "--seed", "7", "--invalid-rate", "0.25",
                  "--log-level", "warn"});
  printer::test::IppDaemons daemons;
  printer::test::IppEvePrinter printer(dir_.path() / "spool", printer::test::free_port());
  printer.start();
  write_config(sim.url(), printer.uri());

  auto cardd =
      ChildProcess::start({bin_path("cardd"), "--config", (dir_.path() / "cardd.toml").string()});
  // Done: everything pulled, nothing waiting for a card or a step, nothing unsent.
  const auto done = [&] {
    auto c = counts();
    std::int64_t total = 0, finished = 0;
    for (const auto& [state, n] : c) {
      total += n;
      if (state == db::AppState::rejected || state == db::AppState::shipped ||
          state == db::AppState::dispatched)
        finished += n;
    }
    auto backlog = store()->outbox_backlog();
    return total == kApplications && finished == total && backlog && *backlog == 0;
  };
  bool finished = false;
  for (int i = 0; i < 1800 && !finished; ++i) {
    finished = done();
    if (!finished) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(finished) << cardd.stderr_text();

  auto c = counts();
  EXPECT_GT(c[db::AppState::rejected], 0);
  EXPECT_GT(c[db::AppState::shipped], 0) << "mail cards";
  EXPECT_GT(c[db::AppState::dispatched], 0) << "branch cards";
  const std::int64_t made = c[db::AppState::shipped] + c[db::AppState::dispatched];
  std::int64_t used = 0, in_progress = 0;
  auto stock = store()->stock();
  ASSERT_TRUE(stock.ok());
  for (const auto& line : *stock) {
    used += line.used;
    in_progress += line.in_progress;
    EXPECT_GT(line.used, 0) << line.lot << ": both slots worked";
  }
  EXPECT_EQ(used, made) << "one good card per application";
  EXPECT_EQ(in_progress, 0);

  // The bureau heard every change cardd made, once, in order.
  const std::string port = std::to_string(sim.port());
  server::HttpRequest request;
  request.host = "127.0.0.1";
  request.port = port;
  request.target = "/v1/status-log";
  auto answer = server::http_exchange(request);
  ASSERT_TRUE(answer.ok() && answer->status == 200);
  const auto log = nlohmann::json::parse(answer->body);
  const auto received = static_cast<std::int64_t>(log["events"].size());
  EXPECT_EQ(received, std::stoll(db::test::text(db_path(), "SELECT count(*) FROM outbox")));
  EXPECT_EQ(log["duplicates"], 0);
  EXPECT_EQ(log["out_of_order"], 0);
  EXPECT_GE(received, made * 9) << "every state of every card";
  // Two faces per card went to the printer.
  EXPECT_GE(static_cast<std::int64_t>(printer.documents().size()), 2 * made);
  // Each shipped pack's letters and labels went to the paper printer.
  // (printed right after shipping: allow the worker its moment)
  std::int64_t paper = 0;
  for (int i = 0; i < 100 && paper < 2; ++i) {
    paper = 0;
    for (const auto& f : std::filesystem::directory_iterator(paper_dir()))
      paper += f.path().extension() == ".pdf" ? 1 : 0;
    if (paper < 2) std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(paper, 2) << "one pack at least: its letters and its labels";

  EXPECT_EQ(::kill(cardd.pid(), SIGTERM), 0);
  EXPECT_EQ(cardd.wait(), 0) << cardd.stderr_text();
}

}  // namespace
}  // namespace cardd::test
