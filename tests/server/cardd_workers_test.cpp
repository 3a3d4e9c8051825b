// The daemon's bureau workers with real processes: the cardd binary, a real
// SQLite file with its keys in a soft keystore (`cardctl keys init-storage`)
// and bureau-sim. Every wait is a poll with a generous limit; nothing is
// asserted about how long anything took.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "../hsm/softhsm_token.h"
#include "bureau_pki.h"
#include "bureau_sim_process.h"
#include "child_process.h"
#include "http_client.h"
#include "secret_file.h"
#include "tls_client.h"

namespace cardd::server {
namespace {

using test::bin_path;
using test::ChildProcess;
using test::SimProcess;
using namespace std::chrono_literals;

// Polls `done` every 100 ms until it holds or `limit` passes.
bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = 180s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

// Rows of a query on the live database (WAL: reading beside the daemon).
std::vector<std::vector<std::string>> rows(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  std::vector<std::vector<std::string>> out;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return out;
  }
  sqlite3_busy_timeout(handle, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* text = sqlite3_column_text(stmt, i);
        row.emplace_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
      }
      out.push_back(std::move(row));
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return out;
}

std::int64_t number(const std::string& db, const std::string& sql) {
  const auto r = rows(db, sql);
  return r.empty() || r[0].empty() || r[0][0].empty() ? -1 : std::stoll(r[0][0]);
}

// Event ids per application, in order.
using History = std::map<std::string, std::vector<std::string>>;

class CarddWorkersTest : public ::testing::Test {
 protected:
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string db() const { return file("cardd.db"); }

  void SetUp() override { init_storage(); }

  virtual void init_storage() {
    test::write_secret_file(file("passphrase"), "cardd workers test keystore");
    const auto r = test::run_command({bin_path("cardctl"), "keys", "init-storage", "--db", db(),
                                      "--keystore", file("keys.cks"), "--passphrase-file",
                                      file("passphrase"), "--create-keystore"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  // The [hsm] section of the configuration.
  virtual std::string hsm_section() const {
    return "[hsm]\nbackend = \"soft\"\nallow_soft_backend = true\nkeystore = \"" +
           file("keys.cks") + "\"\npassphrase_file = \"" + file("passphrase") + "\"\n";
  }

  // A configuration for the bureau at `url`; `bureau_extra` adds [bureau] keys.
  void write_config(const std::string& url, const std::string& bureau_extra = "") {
    // No production line: the daemon must not take cards from other tests' readers.
    std::ofstream(file("cardd.toml"))
        << "lines = []\n[database]\nurl = \"sqlite://" << db() << "\"\n"
        << hsm_section() << "[bureau]\nurl = \"" << url
        << "\"\npull_interval_ms = 200\npage_size = 4\n"
        << "push = true\n"
        << bureau_extra << "[api]\nlisten = \"127.0.0.1:0\"\n[log]\nlevel = \"info\"\n";
  }

  ChildProcess start_cardd() {
    auto child = ChildProcess::start({bin_path("cardd"), "--config", file("cardd.toml")});
    EXPECT_TRUE(eventually([&] { return has(child, "ready"); }, 60s)) << child.stderr_text();
    return child;
  }

  static bool has(const ChildProcess& child, const std::string& text) {
    return child.stderr_text().find(text) != std::string::npos;
  }

  // SIGTERM and the exit code.
  static int stop(ChildProcess& child) {
    EXPECT_EQ(::kill(child.pid(), SIGTERM), 0);
    return child.wait();
  }

  std::int64_t stored() const { return number(db(), "SELECT count(*) FROM applications"); }
  std::int64_t unsent() const {
    return number(db(), "SELECT count(*) FROM outbox WHERE sent_at IS NULL");
  }
  std::int64_t outbox_size() const { return number(db(), "SELECT count(*) FROM outbox"); }
  History outbox_history() const {
    History h;
    for (const auto& r : rows(db(), "SELECT application_id, event_id FROM outbox ORDER BY seq"))
      h[r[0]].push_back(r[1]);
    return h;
  }

  // GET /v1/status-log (`tls`: null for plain HTTP).
  static nlohmann::json status_log(std::uint16_t port, boost::asio::ssl::context* tls = nullptr) {
    HttpRequest r;
    r.host = "127.0.0.1";
    const std::string port_text = std::to_string(port);
    r.port = port_text;
    r.target = "/v1/status-log";
    r.tls = tls;
    auto response = http_exchange(r);
    if (!response || response->status != 200) return nlohmann::json::object();
    return nlohmann::json::parse(response->body, nullptr, false);
  }

  static History bureau_history(const nlohmann::json& log) {
    History h;
    for (const auto& e : log.value("events", nlohmann::json::array()))
      h[e["application_id"].get<std::string>()].push_back(e["event_id"].get<std::string>());
    return h;
  }

  static std::size_t event_count(const nlohmann::json& log) {
    return log.value("events", nlohmann::json::array()).size();
  }

  // The bureau's status log holds exactly the outbox: the same messages in
  // the same order per application, none twice, none out of order.
  void expect_bureau_has_the_outbox(const nlohmann::json& log) const {
    EXPECT_EQ(static_cast<std::int64_t>(event_count(log)), outbox_size());
    EXPECT_EQ(bureau_history(log), outbox_history()) << "same messages, same order per application";
    EXPECT_EQ(log["duplicates"], 0);
    EXPECT_EQ(log["out_of_order"], 0);
  }

  // Intake decisions taken (one per application when none was taken twice).
  std::int64_t intake_decisions() const {
    return number(db(),
                  "SELECT count(*) FROM state_history WHERE to_state IN ('VALIDATED', 'REJECTED')");
  }

  test::TempDir dir_;
};

std::vector<std::string> sim_args(int count, const std::string& seed = "7") {
  return {"--count", std::to_string(count), "--seed", seed, "--invalid-rate",
          "0.25",    "--log-level",         "warn"};
}

TEST_F(CarddWorkersTest, PullsEveryApplicationAndTheBureauGetsExactlyTheOutbox) {
  // The production set-up: HTTPS with mutual TLS and signed pages.
  test::BureauPki pki;
  auto args = sim_args(30);
  for (const auto& a : pki.sim_tls_args(pki.server())) args.push_back(a);
  args.insert(args.end(), {"--sign-key", pki.sign_key().private_key});
  SimProcess sim(args);
  write_config(sim.url(), "ca_file = \"" + pki.ca() + "\"\ncertificate_file = \"" +
                              pki.client().cert + "\"\nkey_file = \"" + pki.client().key +
                              "\"\nsigning_public_key_file = \"" + pki.sign_key().public_key +
                              "\"\n");
  auto tls = make_tls_client_context({pki.ca(), pki.client().cert, pki.client().key});
  ASSERT_TRUE(tls.ok()) << tls.error().describe();

  auto cardd = start_cardd();
  ASSERT_TRUE(eventually([&] { return stored() == 30 && unsent() == 0; }))
      << "stored " << stored() << ", unsent " << unsent() << "\n"
      << cardd.stderr_text();
  const auto states =
      rows(db(), "SELECT state, count(*) FROM applications GROUP BY state ORDER BY state");
  std::map<std::string, std::int64_t> by_state;
  for (const auto& r : states) by_state[r[0]] = std::stoll(r[1]);
  EXPECT_GT(by_state["VALIDATED"], 0);
  EXPECT_GT(by_state["REJECTED"], 0);
  EXPECT_EQ(by_state["VALIDATED"] + by_state["REJECTED"], 30);

  expect_bureau_has_the_outbox(status_log(sim.port(), tls->get()));
  EXPECT_EQ(stop(cardd), 0) << cardd.stderr_text();
  EXPECT_TRUE(has(cardd, "status push: final flush")) << cardd.stderr_text();
}

// bureau-sim keeps its log in memory: a restarted bureau starts empty. What
// can be asserted: cardd loses nothing (every application stored, every
// message marked sent), the two bureaus together received every message
// (at most the one in flight at the kill twice), and the second counted no
// duplicate and nothing out of order.
TEST_F(CarddWorkersTest, ABureauDownForPartOfTheRunLosesNothing) {
  constexpr int kCount = 150;
  std::uint16_t port = 0;
  std::string first_summary;
  auto sim1 = std::make_unique<SimProcess>(sim_args(kCount));
  port = sim1->port();
  write_config(sim1->url());
  auto cardd = start_cardd();
  ASSERT_TRUE(eventually([&] { return stored() >= 8; })) << cardd.stderr_text();
  ASSERT_EQ(::kill(sim1->child().pid(), SIGTERM), 0);
  ASSERT_EQ(sim1->child().wait(), 0);
  // "status messages received: N (duplicates D, out of order O)" on exit.
  for (auto line = sim1->child().read_line(5s); line; line = sim1->child().read_line(5s))
    if (line->starts_with("status messages received")) first_summary = *line;
  sim1.reset();
  ASSERT_FALSE(first_summary.empty());
  const std::int64_t first_received =
      std::stoll(first_summary.substr(std::string("status messages received: ").size()));

  // cardd notices and backs off; the work waits in the outbox.
  ASSERT_TRUE(eventually([&] { return has(cardd, "bureau pull: failed"); })) << cardd.stderr_text();
  const std::int64_t stored_while_down = stored();
  EXPECT_LT(stored_while_down, kCount);

  // The same bureau back on the same port.
  auto argv = std::vector<std::string>{bin_path("bureau-sim"), "--port", std::to_string(port)};
  for (const auto& a : sim_args(kCount)) argv.push_back(a);
  auto sim2 = ChildProcess::start(argv);
  const auto listening = sim2.read_line(20s);
  ASSERT_TRUE(listening && listening->find(std::to_string(port)) != std::string::npos)
      << listening.value_or("") << sim2.stderr_text();

  ASSERT_TRUE(eventually([&] { return stored() == kCount && unsent() == 0; }))
      << "stored " << stored() << ", unsent " << unsent() << "\n"
      << cardd.stderr_text();
  auto log = status_log(port);
  const auto second_received = static_cast<std::int64_t>(event_count(log));
  EXPECT_EQ(log["duplicates"], 0);
  EXPECT_EQ(log["out_of_order"], 0);
  EXPECT_GE(first_received + second_received, outbox_size()) << "nothing lost";
  EXPECT_LE(first_received + second_received, outbox_size() + 1) << first_summary;
  // What the second bureau got is, per application, the tail of cardd's
  // history in order.
  const History ours = outbox_history();
  for (const auto& [id, theirs] : bureau_history(log)) {
    const auto& mine = ours.at(id);
    ASSERT_LE(theirs.size(), mine.size()) << id;
    EXPECT_TRUE(std::equal(theirs.rbegin(), theirs.rend(), mine.rbegin())) << id;
  }
  EXPECT_TRUE(has(cardd, "the bureau answers again")) << cardd.stderr_text();
  std::cout << "stored while the bureau was down: " << stored_while_down << " of " << kCount
            << "; messages " << outbox_size() << ", received " << first_received << " + "
            << second_received << "\n";
  EXPECT_EQ(stop(cardd), 0) << cardd.stderr_text();
  sim2.terminate();
}

// SIGTERM in the middle of a pull: exit 0; the restarted daemon resumes
// from the stored cursor, so every application is stored and reported once.
TEST_F(CarddWorkersTest, SigtermMidRunThenRestartResumesWithNothingDoubled) {
  constexpr int kCount = 120;
  SimProcess sim(sim_args(kCount, "11"));
  write_config(sim.url());
  std::int64_t at_stop = 0;
  {
    auto cardd = start_cardd();
    ASSERT_TRUE(eventually([&] { return stored() >= 4; })) << cardd.stderr_text();
    EXPECT_EQ(stop(cardd), 0) << cardd.stderr_text();
    EXPECT_TRUE(has(cardd, "stopped")) << cardd.stderr_text();
    at_stop = stored();
  }
  EXPECT_LT(at_stop, kCount) << "the stop came mid-run";
  std::cout << "stored at SIGTERM: " << at_stop << " of " << kCount << "\n";
  const auto cursor = rows(db(), "SELECT cursor FROM intake_cursors WHERE source = 'bureau'");
  ASSERT_EQ(cursor.size(), 1u);
  EXPECT_EQ(cursor[0][0], "c" + std::to_string(at_stop)) << "the cursor is where intake stopped";

  auto cardd = start_cardd();
  ASSERT_TRUE(eventually([&] { return stored() == kCount && unsent() == 0; }))
      << "stored " << stored() << ", unsent " << unsent() << "\n"
      << cardd.stderr_text();
  EXPECT_EQ(rows(db(), "SELECT cursor FROM intake_cursors WHERE source = 'bureau'")[0][0],
            "c" + std::to_string(kCount));
  EXPECT_EQ(intake_decisions(), kCount);
  expect_bureau_has_the_outbox(status_log(sim.port()));
  EXPECT_EQ(stop(cardd), 0) << cardd.stderr_text();
}

// A bureau whose `next` does not move forward stops the pull (an error in
// the log), while the daemon keeps running and stops cleanly.
TEST_F(CarddWorkersTest, AStuckCursorStopsPullingButNotTheService) {
  SimProcess sim({"--count", "10", "--page-fault", "stuck-cursor", "--log-level", "warn"});
  write_config(sim.url());
  auto cardd = start_cardd();
  ASSERT_TRUE(eventually([&] { return has(cardd, "bureau pull: stopped"); }))
      << cardd.stderr_text();
  EXPECT_TRUE(has(cardd, "bureau.bad_cursor")) << cardd.stderr_text();
  const std::int64_t kept = stored();
  std::this_thread::sleep_for(1s);  // several pull intervals: no retry storm, nothing new
  EXPECT_EQ(stored(), kept);
  EXPECT_EQ(number(db(), "SELECT count(*) FROM intake_cursors WHERE length(cursor) > 1024"), 0);
  EXPECT_EQ(stop(cardd), 0) << cardd.stderr_text();
}

// The daemon on a PKCS#11 token (SoftHSM2), whose keys seal every
// application's personal data and MAC the audit log.
class CarddOnPkcs11Test : public CarddWorkersTest {
 protected:
  void init_storage() override {
    const auto r = test::run_command(cardctl_on_token({"keys", "init-storage", "--db", db()}));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  std::string hsm_section() const override {
    return std::string("[hsm]\nbackend = \"pkcs11\"\nmodule = \"") + test::SoftHsmToken::kModule +
           "\"\ntoken_label = \"" + test::SoftHsmToken::kLabel + "\"\npin_file = \"" +
           token_.pin_file() + "\"\n";
  }
  std::vector<std::string> cardctl_on_token(std::vector<std::string> args) const {
    args.insert(args.begin(), bin_path("cardctl"));
    args.insert(args.end(), {"--hsm", "pkcs11", "--pin-file", token_.pin_file()});
    return args;
  }

  test::SoftHsmToken token_;  // SOFTHSM2_CONF for this process and its children
};

// The token gone mid-run (SoftHSM2's token folder moved away, as a network
// HSM out of reach) and back: intake stops, since nothing can be sealed,
// and goes on by itself once the token is back, without a restart. Every
// application is stored once, every status message reaches the bureau once,
// and the audit log verifies.
TEST_F(CarddOnPkcs11Test, AnHsmTokenGoneMidRunAndBackLosesNothing) {
  constexpr int kCount = 60;
  SimProcess sim(sim_args(kCount, "13"));
  write_config(sim.url());
  auto cardd = start_cardd();
  ASSERT_TRUE(eventually([&] { return stored() >= 8; })) << cardd.stderr_text();

  const auto tokens = token_.dir() / "tokens", away = token_.dir() / "away";
  std::filesystem::rename(tokens, away);
  ASSERT_TRUE(eventually([&] { return has(cardd, "token 'cardd' lost"); })) << cardd.stderr_text();
  const std::int64_t when_gone = stored();
  std::this_thread::sleep_for(2s);  // ten pull intervals, two attempts to find the token
  EXPECT_EQ(stored(), when_gone) << "nothing stored without the token";
  EXPECT_LT(when_gone, kCount);

  std::filesystem::rename(away, tokens);
  ASSERT_TRUE(eventually([&] { return stored() == kCount && unsent() == 0; }))
      << "stored " << stored() << ", unsent " << unsent() << "\n"
      << cardd.stderr_text();
  EXPECT_TRUE(has(cardd, "token 'cardd' is back")) << cardd.stderr_text();
  EXPECT_EQ(intake_decisions(), kCount);
  expect_bureau_has_the_outbox(status_log(sim.port()));
  EXPECT_EQ(stop(cardd), 0) << cardd.stderr_text();
  const auto audit = test::run_command(cardctl_on_token({"audit", "verify", "--db", db()}));
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  std::cout << "stored when the token went: " << when_gone << " of " << kCount << "\n";
}

}  // namespace
}  // namespace cardd::server
