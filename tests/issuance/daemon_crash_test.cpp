// cardd killed with SIGKILL at random moments spread over a batch and
// started again each time, with real processes (daemon_fixture.h): two slots with vcard
// hoppers, ippeveprinter, a bureau that holds some requests unanswered. The
// kills take turns: while a card takes STORE DATA, while an application is
// PRINTING, while status messages wait to be pushed, and after a random
// delay. At the end: every application issued once and none lost, every
// blank card that entered a reader accounted for (the card machines' own
// record of each card against the database), the bureau's history complete
// and in order with no message counted twice (one cut between the bureau's
// answer and cardd's record of it is sent again under its idempotency key,
// which the bureau recognises), the audit chain intact.
//
// CI runs 40 applications and 8 kills; `tools/dev.sh soak` runs 1,000 and 20
// (CARDD_CRASH_APPLICATIONS, CARDD_CRASH_KILLS, CARDD_CRASH_SEED).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "daemon_fixture.h"
#include "ipp_test_support.h"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

const int kApplications = env_int("CARDD_CRASH_APPLICATIONS", 40);
const int kKills = env_int("CARDD_CRASH_KILLS", 8);
const auto kSeed = static_cast<unsigned>(env_int("CARDD_CRASH_SEED", 2026));

// Quick enough to kill while a card is written (a few hundred ms of
// commands) or printed.
constexpr auto kMomentPoll = 10ms;

enum class Moment { store_data, printing, pushing, random_delay };

const char* to_string(Moment m) {
  switch (m) {
    case Moment::store_data:
      return "mid-STORE DATA";
    case Moment::printing:
      return "mid-print";
    case Moment::pushing:
      return "mid-push";
    case Moment::random_delay:
      return "random delay";
  }
  return "?";
}

class DaemonCrash : public DaemonFixture {
 protected:
  // Either slot may make every card, and each kill may spoil a card in each.
  int hopper_cards() const override { return kApplications + 2 * kKills + 4; }

  // Each card machine tells every command and keeps every card it took.
  std::vector<std::string> hopper_extra(const std::string& slot) const override {
    return {"--trace", "--out-dir", cards_dir(slot).string()};
  }

  fs::path cards_dir(const std::string& slot) const {
    return dir_.path() / (slot == kSlot0 ? "cards-0" : "cards-1");
  }

  // STORE DATA commands the card machines have been sent so far.
  std::size_t store_data_commands() {
    std::size_t n = 0;
    for (const auto& [slot, machine] : hoppers_) {
      const std::string trace = machine.stderr_text();
      for (const char* command : {"<- 80E2", "<- 84E2"})
        for (auto at = trace.find(command); at != std::string::npos;
             at = trace.find(command, at + 1))
          ++n;
    }
    return n;
  }

  // Waits for `m` in the running cardd; false when it did not come.
  bool wait_for(Moment m, std::mt19937& random) {
    switch (m) {
      case Moment::store_data: {
        const std::size_t before = store_data_commands();
        return eventually([&] { return store_data_commands() > before; }, 60s, kMomentPoll);
      }
      case Moment::printing:
        return eventually([&] { return counts()[db::AppState::printing] > 0; }, 60s, kMomentPoll);
      case Moment::pushing:
        return eventually(
            [&] {
              auto backlog = store()->outbox_backlog();
              return backlog && *backlog > 0;
            },
            60s, kMomentPoll);
      case Moment::random_delay:
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 2500)(random)));
        return true;
    }
    return false;
  }

  // Serials of the cards each machine took, with their card life cycle.
  std::map<std::string, int> physical_cards() const {
    std::map<std::string, int> out;
    for (const char* slot : {kSlot0, kSlot1})
      for (const auto& file : fs::directory_iterator(cards_dir(slot))) {
        if (file.path().extension() != ".json") continue;
        std::ifstream in(file.path());
        const auto state = nlohmann::json::parse(in);
        std::string serial = state.at("serial").get<std::string>();
        std::transform(serial.begin(), serial.end(), serial.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        out[serial] = state.at("life_cycle").get<int>();
      }
    return out;
  }

  printer::test::IppDaemons daemons_;
  std::optional<SimProcess> sim_;
  std::optional<printer::test::IppEvePrinter> printer_;
};

TEST_F(DaemonCrash, SigkillAtRandomMomentsLosesNothingAndMakesNoSecondGoodCard) {
  std::printf("%d applications, %d kills, seed %u\n", kApplications, kKills, kSeed);
  sim_.emplace(std::vector<std::string>{"--count", std::to_string(kApplications), "--seed", "9",
                                        "--invalid-rate", "0.05", "--timeout-rate", "0.05",
                                        "--hang-ms", "300", "--log-level", "warn"});
  printer_.emplace(dir_.path() / "spool", printer::test::free_port());
  printer_->start();
  write_config(sim_->url(), printer_->uri());

  std::mt19937 random(kSeed);
  std::map<Moment, int> hit;
  for (int k = 0; k < kKills; ++k) {
    auto cardd = start_cardd();
    // The kills spread over the batch: kill k once k/(kills+2) of it is made
    // (the last leaves some to make after it).
    const std::int64_t gate = std::int64_t{k} * kApplications / (kKills + 2);
    ASSERT_TRUE(eventually([&] { return made() >= gate; }, std::chrono::seconds(300)))
        << "kill " << k + 1 << ": " << made() << " made, waiting for " << gate;
    const auto moment = static_cast<Moment>(k % 4);
    const bool came = wait_for(moment, random);
    ASSERT_EQ(::kill(cardd.pid(), SIGKILL), 0);
    cardd.wait();
    if (came) ++hit[moment];
    std::printf("kill %d %s%s: %lld of %d made\n", k + 1, to_string(moment),
                came ? "" : " (did not come)", static_cast<long long>(made()), kApplications);
    ASSERT_FALSE(all_done(kApplications)) << "the batch ended before kill " << k + 1;
  }
  if (kKills >= 4) {
    for (const Moment m : {Moment::store_data, Moment::printing, Moment::pushing})
      EXPECT_GT(hit[m], 0) << "no kill came " << to_string(m);
  }

  auto last = start_cardd();
  const auto limit = std::chrono::seconds(120 + 2 * kApplications);
  ASSERT_TRUE(eventually([&] { return all_done(kApplications); }, limit)) << last.stderr_text();
  EXPECT_EQ(::kill(last.pid(), SIGTERM), 0);
  EXPECT_EQ(last.wait(), 0) << last.stderr_text();

  // Nothing lost, nothing doubled, the bureau told everything once.
  expect_one_good_card_each();
  expect_stock_reconciled();
  expect_bureau_heard_everything(*sim_, kKills);
  const auto audit = cardctl(with_hsm({"audit", "verify", "--db", db_path()}));
  EXPECT_EQ(audit.exit_code, 0) << audit.out << audit.err;

  // Every card a machine took is in the database, and the cards a holder
  // could use (SECURED) are exactly the good ones there.
  const auto cards = physical_cards();
  std::set<std::string> secured;
  for (const auto& [serial, life_cycle] : cards)
    if (life_cycle == 0x0F) secured.insert(serial);
  std::set<std::string> in_db, good;
  std::istringstream rows(db::test::text(
      db_path(), "SELECT group_concat(chip_id || ' ' || state, char(10)) FROM cards"));
  for (std::string chip, state; rows >> chip >> state;) {
    std::transform(chip.begin(), chip.end(), chip.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const auto serial = std::find_if(cards.begin(), cards.end(), [&](const auto& c) {
      return chip.find(c.first) != std::string::npos;
    });
    ASSERT_NE(serial, cards.end()) << "chip " << chip << " was never in a card machine";
    in_db.insert(serial->first);
    if (state == "ENCODED") good.insert(serial->first);
  }
  EXPECT_EQ(secured, good);
  // The rest never left its reader: at most the blank card in each.
  EXPECT_LE(cards.size(), in_db.size() + 2);
  const Stock s = stock();
  EXPECT_EQ(static_cast<std::int64_t>(in_db.size()), s.used + s.spoiled);
  EXPECT_LE(s.spoiled, 2 * kKills) << "at most one card per slot per kill";
  std::printf("cards taken %zu, used %lld, spoiled %lld (%s)\n", cards.size(),
              static_cast<long long>(s.used), static_cast<long long>(s.spoiled),
              db::test::text(db_path(),
                             "SELECT group_concat(reason || ' ' || n, ', ') FROM (SELECT reason, "
                             "count(*) n FROM cards WHERE state = 'SPOILED' GROUP BY reason)")
                  .c_str());
}

}  // namespace
}  // namespace cardd::test
