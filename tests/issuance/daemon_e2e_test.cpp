// The service end to end with real processes: bureau-sim with applications
// (some invalid, mail and branch), pcscd with two vpcd slots each fed by a
// vcard hopper, ippeveprinter as the line's printer, and the cardd daemon.
// cardd pulls, makes every card, ships and dispatches them and tells the
// bureau every change; then it stops on SIGTERM with exit 0.
#include <gtest/gtest.h>

#include "cardd/server/api_tokens.h"
#include "daemon_fixture.h"
#include "http_test_client.h"
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

  // The lines as the API shows them: each slot's hopper holds its own lot,
  // and its level is that lot's blanks left.
  const std::string log = cardd.stderr_text();
  const std::string marker = "api: listening on port ";
  const auto at = log.find(marker);
  ASSERT_NE(at, std::string::npos) << log;
  Client client(static_cast<std::uint16_t>(std::stoul(log.substr(at + marker.size()))));
  auto token = server::create_api_token(*store(), "operator", "", "e2e", "", "tester");
  ASSERT_TRUE(token.ok()) << token.error().describe();
  auto answer = client.send(http::verb::get, "/api/v1/lines", token->token);
  ASSERT_EQ(answer.status, 200u) << answer.raw;
  auto slots = answer.body["lines"][0]["slots"];  // a copy: a missing key reads as null
  ASSERT_EQ(slots.size(), 2u) << answer.raw;
  EXPECT_EQ(slots[0]["hopper"]["lot"], "HOPPER-0") << answer.raw;
  EXPECT_EQ(slots[1]["hopper"]["lot"], "HOPPER-1") << answer.raw;
  const auto after = store()->stock();
  ASSERT_TRUE(after.ok());
  for (const auto& lot : *after)
    for (auto& slot : slots) {
      if (slot["hopper"]["lot"] == lot.lot) {
        EXPECT_EQ(slot["hopper"]["left"], lot.left) << slot;
      }
    }

  EXPECT_EQ(::kill(cardd.pid(), SIGTERM), 0);
  EXPECT_EQ(cardd.wait(), 0) << cardd.stderr_text();
}

}  // namespace
}  // namespace cardd::test
