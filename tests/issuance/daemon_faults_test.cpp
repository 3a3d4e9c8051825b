// The daemon through faults, with real processes (daemon_fixture.h):
// - a slot's card machine (its vcard hopper) gone while cardd encodes on
//   it: that card is spoiled with the reason, the other slot goes on and
//   makes the application, and the slot makes cards again once a hopper is
//   back on its port;
// - pcscd stopped mid-card and started again: the cards in the readers are
//   spoiled as lost, the card machines are powered up again, the slots
//   come back by themselves and the batch completes;
// - the bureau failing or answering nothing for a share of its requests:
//   every card made, every status reported once and in order;
// - the line's printer losing power mid-run and coming back: no card gets
//   past printing while it is away, none is spoiled, the batch completes;
// - SIGTERM mid-run and a restart: the batch completes, nothing lost or
//   doubled, the bureau's history equal to cardd's.
#include <gtest/gtest.h>

#include "daemon_fixture.h"
#include "ipp_test_support.h"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;
using db::test::text;

constexpr int kApplications = 8;

class DaemonFaults : public DaemonFixture {
 protected:
  // Slot 0's first hopper tells every command (--trace) and answers slowly,
  // so the test can stop it in the middle of a card.
  std::vector<std::string> hopper_extra(const std::string& slot) const override {
    if (slot == kSlot0) return {"--trace", "--slow-ms", "15"};
    return {};
  }

  // `bureau_faults`: more bureau-sim arguments (failing or hanging requests).
  void start_bureau_and_printer(const std::vector<std::string>& bureau_faults = {}) {
    std::vector<std::string> args{"--count",        std::to_string(kApplications),
                                  "--seed",         "5",
                                  "--invalid-rate", "0",
                                  "--log-level",    "warn"};
    args.insert(args.end(), bureau_faults.begin(), bureau_faults.end());
    sim_.emplace(args);
    printer_.emplace(dir_.path() / "spool", printer::test::free_port());
    printer_->start();
    write_config(sim_->url(), printer_->uri());
  }

  // Waits for the first STORE DATA on slot 0's card (its hopper's trace).
  bool slot0_writes_its_card() {
    ChildProcess& machine = hoppers_.at(kSlot0);
    return eventually(
        [&] {
          const std::string trace = machine.stderr_text();
          return trace.find("<- 80E2") != std::string::npos ||
                 trace.find("<- 84E2") != std::string::npos;
        },
        60s);
  }

  // How often the log says a slot found the printer away.
  static std::size_t printer_failures(const std::string& log) {
    std::size_t n = 0;
    for (auto at = log.find(": printer: "); at != std::string::npos;
         at = log.find(": printer: ", at + 1))
      ++n;
    return n;
  }

  printer::test::IppDaemons daemons_;
  std::optional<SimProcess> sim_;
  std::optional<printer::test::IppEvePrinter> printer_;
};

TEST_F(DaemonFaults, ASlotWhoseCardMachineGoesMidCardSpoilsItTheOtherGoesOnAndItComesBack) {
  start_bureau_and_printer();
  auto cardd = start_cardd();
  // The first STORE DATA on slot 0's card: stop its card machine there.
  ChildProcess& machine = hoppers_.at(kSlot0);
  ASSERT_TRUE(slot0_writes_its_card()) << cardd.stderr_text();
  const std::string chip =
      text(db_path(), "SELECT chip_id FROM cards WHERE lot = 'HOPPER-0' AND state = 'ENCODING'");
  ::kill(machine.pid(), SIGKILL);
  ASSERT_FALSE(chip.empty()) << "slot 0 was encoding when its card went";
  const std::string app =
      text(db_path(), "SELECT application_id FROM cards WHERE chip_id = '" + chip + "'");

  // Spoiled for what happened to it, and the application made on slot 1.
  ASSERT_TRUE(eventually(
      [&] {
        return text(db_path(), "SELECT state FROM cards WHERE chip_id = '" + chip + "'") ==
               "SPOILED";
      },
      20s))
      << cardd.stderr_text();
  // The machine vanished mid-command: pcscd reports the card gone, or, when
  // the command was already on its way, a card that never answered.
  const std::string reason =
      text(db_path(), "SELECT reason FROM cards WHERE chip_id = '" + chip + "'");
  EXPECT_TRUE(reason == "card_removed" || reason == "mute_card") << reason;
  ASSERT_TRUE(eventually(
      [&] {
        return text(db_path(), "SELECT lot FROM cards WHERE application_id = '" + app +
                                   "' AND state = 'ENCODED'") == "HOPPER-1";
      },
      60s))
      << cardd.stderr_text();
  EXPECT_EQ(text(db_path(), "SELECT count(*) FROM cards WHERE lot = 'HOPPER-0'"), "1")
      << "no card taken on slot 0 while its machine is away";

  // A card machine on the port again, with the next cards of its lot.
  hopper(kSlot0, kPort0, "CAFE0021");
  ASSERT_TRUE(eventually([&] { return all_done(kApplications); }, 120s)) << cardd.stderr_text();
  EXPECT_NE(text(db_path(),
                 "SELECT count(*) FROM cards WHERE lot = 'HOPPER-0' AND state = "
                 "'ENCODED' AND substr(chip_id, 9) >= 'CAFE0021'"),
            "0")
      << "slot 0 made cards again";
  expect_one_good_card_each();
  EXPECT_EQ(stock().spoiled, 1);
  expect_stock_reconciled();
  expect_bureau_heard_everything(*sim_);
  EXPECT_EQ(::kill(cardd.pid(), SIGTERM), 0);
  EXPECT_EQ(cardd.wait(), 0) << cardd.stderr_text();
}

TEST_F(DaemonFaults, PcscdStoppedMidCardAndStartedAgainLosesNothingAndTheSlotsComeBack) {
  start_bureau_and_printer();
  auto cardd = start_cardd();
  ASSERT_TRUE(slot0_writes_its_card()) << cardd.stderr_text();
  const bool ours = pcscd_.has_value();
  ASSERT_TRUE(stop_pcscd(pcscd_));

  // Every card in a reader when pcscd went is spoiled, none left in between.
  ASSERT_TRUE(eventually(
      [&] {
        return text(db_path(), "SELECT count(*) FROM cards WHERE state = 'ENCODING'") == "0" &&
               stock().spoiled >= 1;
      },
      30s))
      << cardd.stderr_text();
  // pcscd back, and the card machines powered up with their next cards.
  ASSERT_EQ(restart_pcscd(pcscd_, ours, kSlot1), "");
  hopper(kSlot0, kPort0, "CAFE0021");
  hopper(kSlot1, kPort1, "CAFF0021");
  ASSERT_TRUE(eventually([&] { return all_done(kApplications); }, 120s)) << cardd.stderr_text();
  for (const auto& [lot, first_after] :
       {std::pair{"HOPPER-0", "CAFE0021"}, {"HOPPER-1", "CAFF0021"}}) {
    EXPECT_NE(text(db_path(), std::string("SELECT count(*) FROM cards WHERE lot = '") + lot +
                                  "' AND state = 'ENCODED' AND substr(chip_id, 9) >= '" +
                                  first_after + "'"),
              "0")
        << lot << ": its slot made cards again";
  }
  expect_one_good_card_each();
  // The cards in the readers when pcscd went, and no other: spoiled at once
  // when being written, or, when already written, once the slot sees
  // another card in its reader (the machine was powered up afresh).
  EXPECT_LE(stock().spoiled, 2) << "one card per slot at most";
  std::istringstream reasons(
      text(db_path(), "SELECT group_concat(reason, ' ') FROM cards WHERE state = 'SPOILED'"));
  for (std::string reason; reasons >> reason;)
    EXPECT_TRUE(reason == "reader_lost" || reason == "card_removed" || reason == "mute_card")
        << reason;
  const std::string retired = text(db_path(), "SELECT count(*) FROM retired_numbers");
  EXPECT_GE(retired, "1") << "slot 0's card was written when it was lost: its numbers retired";
  EXPECT_LE(std::stoll(retired), stock().spoiled);
  expect_stock_reconciled();
  expect_bureau_heard_everything(*sim_);
  EXPECT_EQ(::kill(cardd.pid(), SIGTERM), 0);
  EXPECT_EQ(cardd.wait(), 0) << cardd.stderr_text();
}

TEST_F(DaemonFaults, APrinterLosingPowerHoldsTheLineUntilItIsBackAndNoCardIsSpoiled) {
  start_bureau_and_printer();
  auto cardd = start_cardd();
  ASSERT_TRUE(eventually([&] { return made() >= 1; }, 90s)) << cardd.stderr_text();
  printer_->kill();
  const std::int64_t before = made();
  ASSERT_LT(before, kApplications) << "the printer went too late to prove anything";

  // The slots try, fail and wait; nothing gets past printing meanwhile.
  ASSERT_TRUE(eventually([&] { return printer_failures(cardd.stderr_text()) >= 3; }, 60s))
      << cardd.stderr_text();
  EXPECT_LE(made(), before + 2) << "only cards already printed (one per slot) finish QC";
  EXPECT_EQ(stock().spoiled, 0);

  printer_->start();  // the same printer, on the same port
  ASSERT_TRUE(eventually([&] { return all_done(kApplications); }, 120s)) << cardd.stderr_text();
  expect_one_good_card_each();
  EXPECT_EQ(stock().spoiled, 0) << "a printer away spoils no card";
  expect_stock_reconciled();
  expect_bureau_heard_everything(*sim_);
  EXPECT_EQ(::kill(cardd.pid(), SIGTERM), 0);
  EXPECT_EQ(cardd.wait(), 0) << cardd.stderr_text();
}

TEST_F(DaemonFaults, ABureauFailingOrAnsweringNothingMidRunLosesNoStatusAndHoldsUpNoCard) {
  // One in seven of the bureau's answers is a 500, one in ten never comes (held,
  // then the connection closed without a word): pulls and pushes alike.
  start_bureau_and_printer({"--fail-rate", "0.15", "--timeout-rate", "0.1", "--hang-ms", "300"});
  auto cardd = start_cardd();
  ASSERT_TRUE(eventually([&] { return all_done(kApplications); }, 150s)) << cardd.stderr_text();
  const std::string log = cardd.stderr_text();
  EXPECT_TRUE(log.find("bureau pull: failed") != std::string::npos ||
              log.find("status push: stopped") != std::string::npos ||
              log.find("not taken") != std::string::npos)
      << "the bureau's faults reached cardd\n"
      << log;
  expect_one_good_card_each();
  EXPECT_EQ(stock().spoiled, 0);
  expect_bureau_heard_everything(*sim_);
  EXPECT_EQ(::kill(cardd.pid(), SIGTERM), 0);
  EXPECT_EQ(cardd.wait(), 0) << cardd.stderr_text();
}

class DaemonRestart : public DaemonFaults {
 protected:
  std::vector<std::string> hopper_extra(const std::string&) const override { return {}; }
};

TEST_F(DaemonRestart, SigtermMidRunAndARestartCompleteTheBatchWithNothingLostOrDoubled) {
  start_bureau_and_printer();
  auto first = start_cardd();
  ASSERT_TRUE(eventually([&] { return made() >= 2; }, 90s)) << first.stderr_text();
  ASSERT_LT(made(), kApplications) << "the stop came too late to prove anything";
  ASSERT_EQ(::kill(first.pid(), SIGTERM), 0);
  EXPECT_EQ(first.wait(), 0) << first.stderr_text();
  EXPECT_LT(made(), kApplications);

  auto second = start_cardd();
  ASSERT_TRUE(eventually([&] { return all_done(kApplications); }, 120s)) << second.stderr_text();
  expect_one_good_card_each();
  EXPECT_EQ(stock().spoiled, 0) << "the card in hand was finished or parked, not spoiled";
  expect_stock_reconciled();
  expect_bureau_heard_everything(*sim_);
  EXPECT_EQ(::kill(second.pid(), SIGTERM), 0);
  EXPECT_EQ(second.wait(), 0) << second.stderr_text();
}

}  // namespace
}  // namespace cardd::test
