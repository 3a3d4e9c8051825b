// The daemon with real processes around it, for the end-to-end tests: pcscd
// with two vpcd slots each fed by a vcard hopper (its own lot), bureau-sim,
// ippeveprinter as the line's printer and a configuration naming them all
// (line-1 with both slots). Each test has its own directory, database and
// printer port; the vpcd ports are the machine's (RESOURCE_LOCK pcscd).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "bureau_sim_process.h"
#include "child_process.h"
#include "http_client.h"
#include "issuance_fixture.h"
#include "pcscd.h"
#include "raw_sql.h"

namespace cardd::test {

inline constexpr const char* kSlot0 = "Virtual PCD 00 00";
inline constexpr const char* kSlot1 = "Virtual PCD 00 01";
inline constexpr const char* kPort0 = "35963";
inline constexpr const char* kPort1 = "35964";
inline constexpr const char* kSerial0 = "CAFE0001";
inline constexpr const char* kSerial1 = "CAFF0001";  // lots of up to 65,536 cards apart

class DaemonFixture : public IssuanceFixture {
 protected:
  void SetUp() override {
    IssuanceFixture::SetUp();
    std::string error;
    pcscd_ = ensure_pcscd(kSlot1, error);
    ASSERT_TRUE(error.empty()) << error;
    std::filesystem::create_directories(paper_dir());
    add_lot("HOPPER-0", kSerial0, std::max(40, hopper_cards()));
    add_lot("HOPPER-1", kSerial1, std::max(40, hopper_cards()));
    hopper(kSlot0, kPort0, kSerial0, hopper_extra(kSlot0));
    hopper(kSlot1, kPort1, kSerial1, hopper_extra(kSlot1));
  }

  // More vcard arguments for the hopper of `slot` (e.g. --trace).
  virtual std::vector<std::string> hopper_extra(const std::string& /*slot*/) const { return {}; }
  // Blank cards in each hopper.
  virtual int hopper_cards() const { return 20; }

  void TearDown() override { EXPECT_EQ(remove_vcards(hoppers_), ""); }

  // A vcard hopper of hopper_cards() blank cards from `serial` in `slot`.
  void hopper(const std::string& slot, const std::string& port, const std::string& serial,
              const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--port",   port,   "--hopper", std::to_string(hopper_cards()),
                                  "--serial", serial, "--kmc",    kTestKmc};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string error;
    auto card = insert_vcard(slot, args, error);
    ASSERT_TRUE(error.empty()) << error;
    hoppers_.insert_or_assign(slot, std::move(*card));
  }

  // Where the carrier letters and labels of shipped packs go.
  std::filesystem::path paper_dir() const { return dir_.path() / "paper"; }

  std::string config_path() const { return (dir_.path() / "cardd.toml").string(); }

  void write_config(const std::string& bureau, const std::string& printer) {
    const auto h = hsm_args();  // --keystore K --passphrase-file P
    std::ofstream(config_path())
        << "[center]\nregion = \"" << region_name() << "\"\n"
        << "[database]\nurl = \"sqlite://" << db_path() << "\"\n"
        << "[hsm]\nbackend = \"soft\"\nallow_soft_backend = true\nkeystore = \"" << h[1]
        << "\"\npassphrase_file = \"" << h[3] << "\"\n"
        << "[bureau]\nurl = \"" << bureau << "\"\npull_interval_ms = 300\npage_size = 5\n"
        << "[[lines]]\nname = \"line-1\"\nslots = [\"" << kSlot0 << "\", \"" << kSlot1
        << "\"]\nprinter = \"" << printer << "\"\n"
        << "[fulfilment]\npack_batch = 4\npaper_printer = \"dir://" << paper_dir().string()
        << "\"\n"
        << "[api]\nlisten = \"127.0.0.1:0\"\n[log]\nlevel = \"" << log_level_ << "\"\n";
  }

  ChildProcess start_cardd() {
    return ChildProcess::start({bin_path("cardd"), "--config", config_path()});
  }

  std::map<db::AppState, std::int64_t> counts() { return *store()->count_by_state(); }

  // Applications whose card got past printing.
  std::int64_t made() {
    auto c = counts();
    return c[db::AppState::qc_passed] + c[db::AppState::packed] + c[db::AppState::shipped] +
           c[db::AppState::dispatched];
  }

  std::int64_t total() {
    std::int64_t n = 0;
    for (const auto& [state, count] : counts()) n += count;
    return n;
  }

  // Every one of `applications` pulled and rejected, shipped or dispatched;
  // nothing left unsent.
  bool all_done(std::int64_t applications) {
    std::int64_t all = 0, finished = 0;
    for (const auto& [state, n] : counts()) {
      all += n;
      if (state == db::AppState::rejected || state == db::AppState::shipped ||
          state == db::AppState::dispatched)
        finished += n;
    }
    auto backlog = store()->outbox_backlog();
    return all == applications && finished == all && backlog && *backlog == 0;
  }

  // Polls `ok` every `every` for up to `limit`.
  static bool eventually(const std::function<bool()>& ok, std::chrono::milliseconds limit,
                         std::chrono::milliseconds every = std::chrono::milliseconds(100)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!ok()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(every);
    }
    return true;
  }

  // Cards used, spoiled and in progress over both lots.
  struct Stock {
    std::int64_t used = 0, spoiled = 0, in_progress = 0;
  };
  Stock stock() {
    Stock s;
    auto lines = store()->stock();
    EXPECT_TRUE(lines.ok());
    if (!lines.ok()) return s;
    for (const auto& l : *lines) {
      s.used += l.used;
      s.spoiled += l.spoiled;
      s.in_progress += l.in_progress;
    }
    return s;
  }

  // Every lot: received = used + spoiled + in progress + left, here and as
  // `cardctl stock` shows it.
  void expect_stock_reconciled() {
    auto lots = store()->stock();
    ASSERT_TRUE(lots.ok());
    for (const auto& l : *lots)
      EXPECT_EQ(l.received, l.used + l.spoiled + l.in_progress + l.left) << l.lot;
    auto shown = cardctl({"stock", "--db", db_path()});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_NE(shown.out.find("HOPPER-0"), std::string::npos) << shown.out;
  }

  // Every application that is not rejected has exactly one good card
  // (ENCODED) and the stock's count of used cards equals theirs.
  void expect_one_good_card_each() {
    const std::string apps =
        db::test::text(db_path(), "SELECT count(*) FROM applications WHERE state <> 'REJECTED'");
    EXPECT_EQ(
        db::test::text(db_path(),
                       "SELECT count(*) FROM (SELECT application_id FROM cards "
                       "WHERE state = 'ENCODED' GROUP BY application_id HAVING count(*) = 1)"),
        apps);
    EXPECT_EQ(db::test::text(db_path(), "SELECT count(*) FROM cards WHERE state = 'ENCODED'"), apps)
        << "no application with two good cards";
    const Stock s = stock();
    EXPECT_EQ(std::to_string(s.used), apps);
    EXPECT_EQ(s.in_progress, 0);
  }

  // The bureau's log of status messages equals the outbox: nothing lost,
  // nothing counted twice, in order per application. `resent`: how many
  // messages may have arrived again under their idempotency key (each kill
  // of cardd may cut one push between the bureau's answer and its record).
  void expect_bureau_heard_everything(const SimProcess& sim, std::int64_t resent = 0) {
    const std::string port = std::to_string(sim.port());  // the request only views it
    server::HttpRequest request;
    request.host = "127.0.0.1";
    request.port = port;
    request.target = "/v1/status-log";
    auto answer = server::http_exchange(request);
    ASSERT_TRUE(answer.ok() && answer->status == 200);
    const auto log = nlohmann::json::parse(answer->body);
    EXPECT_EQ(static_cast<std::int64_t>(log["events"].size()),
              std::stoll(db::test::text(db_path(), "SELECT count(*) FROM outbox")));
    EXPECT_LE(log["duplicates"].get<std::int64_t>(), resent);
    EXPECT_EQ(log["out_of_order"], 0);
    // Per application, the bureau's messages are cardd's outbox, in order.
    using Said = std::map<std::string, std::vector<std::pair<std::int64_t, std::string>>>;
    const auto add = [](Said& to, const nlohmann::json& m) {
      to[m["application_id"].get<std::string>()].emplace_back(m["seq"].get<std::int64_t>(),
                                                              m["state"].get<std::string>());
    };
    Said heard, sent;
    for (const auto& e : log["events"]) add(heard, e);
    std::istringstream outbox(
        db::test::text(db_path(),
                       "SELECT group_concat(payload, char(10)) FROM (SELECT payload FROM outbox "
                       "ORDER BY seq)"));
    for (std::string line; std::getline(outbox, line);) add(sent, nlohmann::json::parse(line));
    EXPECT_EQ(heard, sent);
    // … and cardd's history of state changes.
    Said history;
    std::istringstream rows(
        db::test::text(db_path(),
                       "SELECT group_concat(application_id || ' ' || seq || ' ' || to_state, "
                       "char(10)) FROM (SELECT * FROM state_history ORDER BY seq)"));
    std::string id, state;
    std::int64_t seq = 0;
    while (rows >> id >> seq >> state) history[id].emplace_back(seq, state);
    EXPECT_EQ(heard, history);
  }

  std::string log_level_ = "info";
  std::optional<ChildProcess> pcscd_;
  std::map<std::string, ChildProcess> hoppers_;
};

}  // namespace cardd::test
