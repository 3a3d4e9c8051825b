// The service end to end with real processes: bureau-sim with applications
// (some invalid, mail and branch), pcscd with two vpcd slots each fed by a
// vcard hopper, ippeveprinter as the line's printer, and the cardd daemon.
// cardd pulls, makes every card, ships and dispatches them and tells the
// bureau every change; then it stops on SIGTERM with exit 0. And then
// nothing is given away: no personal data, PAN, PIN or key value of the run
// in the clear in cardd's log, its database files, the keystore or the spools.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <iterator>
#include <set>
#include <sstream>

#include "cardd/server/api_tokens.h"
#include "daemon_fixture.h"
#include "hex.h"
#include "http_test_client.h"
#include "ipp_test_support.h"
#include "personal_data_needles.h"
#include "test_places.h"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;

constexpr int kApplications = 16;

namespace fs = std::filesystem;

constexpr std::uint64_t kSeed = 7;
constexpr double kInvalidRate = 0.25;

class DaemonEndToEnd : public DaemonFixture {
 protected:
  // The sweep reads the most talkative log there is.
  DaemonEndToEnd() { log_level_ = "debug"; }

  // What must not be found: the personal data the bureau-sim sent (the same
  // generator, seed and rate), each card's PAN, the initial PIN, the KMC,
  // the keystore's passphrase and the API token.
  std::vector<Needle> secrets(const std::string& api_token) {
    std::vector<Needle> out;
    const testdata::Generator generator(generator_options(kSeed, kInvalidRate));
    std::set<std::string> generated;
    for (int i = 0; i < kApplications; ++i) {
      const auto app = nlohmann::json::parse(generator.make(static_cast<std::uint64_t>(i)).json);
      generated.insert(app["application_id"].get<std::string>());
      const auto of_app = personal_data_of(app);
      out.insert(out.end(), of_app.begin(), of_app.end());
    }
    std::istringstream ids(
        db::test::text(db_path(), "SELECT group_concat(application_id, ' ') FROM applications"));
    const std::set<std::string> stored{std::istream_iterator<std::string>(ids), {}};
    EXPECT_EQ(stored, generated) << "the needles are this run's applications";
    auto st = store();
    for (const auto& id : stored) {
      auto record = st->prepared(id, "test", "the PAN to look for");
      EXPECT_TRUE(record.ok()) << (record.ok() ? "" : record.error().describe());
      if (record.ok() && record->has_value()) add_needle(out, "PAN", (*record)->pan);
    }
    for (const auto& app : profile_.applications)
      if (app.pin) add_needle(out, "initial PIN", app.pin->initial);
    const auto kmc = hex(kTestKmc);
    add_needle(out, "KMC", std::string(kmc.begin(), kmc.end()));
    add_needle(out, "KMC (hex)", kTestKmc);
    std::string lower = kTestKmc;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    add_needle(out, "KMC (lower-case hex)", lower);
    std::string passphrase = file_bytes(hsm_args()[3]);
    while (!passphrase.empty() && passphrase.back() == '\n') passphrase.pop_back();
    add_needle(out, "keystore passphrase", passphrase);
    add_needle(out, "API token", api_token);
    return out;
  }

  // cardd's files: the database and its WAL, the keystore, the paper spool
  // and what the card printer was sent.
  std::vector<fs::path> files_written() const {
    std::vector<fs::path> out;
    for (const char* suffix : {"", "-wal", "-shm"})
      if (fs::exists(db_path() + suffix)) out.emplace_back(db_path() + suffix);
    out.emplace_back(hsm_args()[1]);
    for (const fs::path& spool : {paper_dir(), dir_.path() / "spool"})
      for (const auto& f : fs::recursive_directory_iterator(spool))
        if (f.is_regular_file()) out.push_back(f.path());
    return out;
  }
};

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

  // Nothing given away.
  const auto needles = secrets(token->token);
  const std::string cardd_log = cardd.stderr_text();
  EXPECT_NE(cardd_log.find("apdu "), std::string::npos) << "the log is at debug level";
  std::string found = found_in("cardd's log", cardd_log, needles);
  const auto files = files_written();
  std::size_t printed = 0;
  for (const auto& f : files) {
    const std::string bytes = file_bytes(f);
    found += found_in(f.string(), bytes, needles);
    if (f.extension() == ".pdf" || f.extension() == ".png") ++printed;
    if (f == db_path()) {
      EXPECT_NE(bytes.find("BJ-7-00000001"), std::string::npos) << "a plain search finds ids";
    }
  }
  EXPECT_GE(printed, static_cast<std::size_t>(2 * made)) << "faces and the pack paper were swept";
  EXPECT_GT(needles.size(), static_cast<std::size_t>(kApplications) * 10);
  EXPECT_EQ(found, "");
}

}  // namespace
}  // namespace cardd::test
