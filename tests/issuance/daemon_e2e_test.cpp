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

  auto cardd = start_cardd();
  // Done: everything pulled, nothing waiting for a card or a step, nothing unsent.
  ASSERT_TRUE(eventually([&] { return all_done(kApplications); }, 180s)) << cardd.stderr_text();

  auto c = counts();
  EXPECT_GT(c[db::AppState::rejected], 0);
  EXPECT_GT(c[db::AppState::shipped], 0) << "mail cards";
  EXPECT_GT(c[db::AppState::dispatched], 0) << "branch cards";
  const std::int64_t made = c[db::AppState::shipped] + c[db::AppState::dispatched];
  auto lots = store()->stock();
  ASSERT_TRUE(lots.ok());
  for (const auto& lot : *lots) EXPECT_GT(lot.used, 0) << lot.lot << ": both slots worked";
  expect_one_good_card_each();
  EXPECT_EQ(stock().used, made);

  // The bureau heard every change cardd made, once, in order.
  expect_bureau_heard_everything(sim);
  EXPECT_GE(std::stoll(db::test::text(db_path(), "SELECT count(*) FROM outbox")), made * 9)
      << "every state of every card";
  // Two faces per card went to the printer.
  EXPECT_GE(static_cast<std::int64_t>(printer.documents().size()), 2 * made);
  // Each shipped pack's letters and labels went to the paper printer
  // (printed right after shipping: the worker gets its moment).
  const auto pdfs = [&] {
    std::int64_t n = 0;
    for (const auto& f : std::filesystem::directory_iterator(paper_dir()))
      n += f.path().extension() == ".pdf" ? 1 : 0;
    return n;
  };
  EXPECT_TRUE(eventually([&] { return pdfs() >= 2; }, 10s))
      << "one pack at least: its letters and its labels; found " << pdfs();

  EXPECT_EQ(::kill(cardd.pid(), SIGTERM), 0);
  EXPECT_EQ(cardd.wait(), 0) << cardd.stderr_text();
}

}  // namespace
}  // namespace cardd::test
