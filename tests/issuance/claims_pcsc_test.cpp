// The two exactly-once probes of the service issue, with the operator's
// command through real pcscd, vpcd and vcard processes:
// - two `cardctl encode` of one application on two readers, the second
//   started while the first writes: the second is refused, the first's card
//   is the one good card;
// - `cardctl encode` killed at each step that writes (after INSTALL, STORE
//   DATA, SET STATUS reached the card): the next run reads the card back and
//   records it ENCODED when complete, else terminates and spoils it; one good
//   card in the end.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "cardd/hsm/factory.h"
#include "cardd/personalization/encoding_session.h"
#include "cardd/server/issuance.h"
#include "child_process.h"
#include "issuance_fixture.h"
#include "pcscd.h"
#include "soft_hsm.h"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSlot0 = "Virtual PCD 00 00";
constexpr const char* kSlot1 = "Virtual PCD 00 01";

class ClaimsThroughPcsc : public IssuanceFixture {
 protected:
  void SetUp() override {
    IssuanceFixture::SetUp();
    std::string error;
    pcscd_ = ensure_pcscd(kSlot1, error);
    ASSERT_TRUE(error.empty()) << error;
    add_lot("LOT-A", "CAFE0001", 20);
  }

  void TearDown() override { EXPECT_EQ(remove_vcards(cards_), ""); }

  void insert(const std::string& slot, const std::string& port, const std::string& serial,
              const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{
        "--port",   port,   "--state", (dir_.path() / (serial + ".json")).string(),
        "--serial", serial, "--kmc",   kTestKmc};
    args.insert(args.end(), extra.begin(), extra.end());
    // A second card in a slot replaces the first (its vcard stops).
    if (auto old = cards_.find(slot); old != cards_.end()) {
      ASSERT_EQ(remove_vcard(slot, old->second), "");
      cards_.erase(old);
    }
    std::string error;
    auto card = insert_vcard(slot, args, error);
    ASSERT_TRUE(error.empty()) << error;
    cards_.emplace(slot, std::move(*card));
  }

  std::vector<std::string> encode_args(const std::string& id, const std::string& slot) {
    std::vector<std::string> args{bin_path("cardctl"), "encode",   id,   "--db",
                                  db_path(),           "--reader", slot, "--region",
                                  region_name()};
    for (auto& a : hsm_args()) args.push_back(a);
    return args;
  }

  // Polls the store until `id` is in `state` (~20 s).
  bool reaches(const std::string& id, db::AppState state) {
    for (int i = 0; i < 400; ++i) {
      if (store()->status(id)->state == state) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  int good_cards(const std::string& id) {
    int n = 0;
    auto cards = store()->cards_of(id);
    for (const auto& c : *cards) n += c.state == db::CardState::encoded;
    return n;
  }

  std::optional<ChildProcess> pcscd_;
  std::map<std::string, ChildProcess> cards_;
};

TEST_F(ClaimsThroughPcsc, ASecondEncodeOfTheSameApplicationIsRefusedWhileTheFirstWrites) {
  const auto ids = import_applications(1);
  // Slow enough (~10 s a card) that the second command, starting up on a
  // loaded machine under the sanitizers, still finds the first one writing.
  insert(kSlot0, "35963", "CAFE0001", {"--slow-ms", "80"});
  insert(kSlot1, "35964", "CAFE0002");
  auto first = ChildProcess::start(encode_args(ids[0], kSlot0));
  ASSERT_TRUE(reaches(ids[0], db::AppState::encoding));
  auto second = run_command(encode_args(ids[0], kSlot1));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("claim_held"), std::string::npos) << second.err;
  EXPECT_EQ(first.wait(), 0) << first.stderr_text();
  EXPECT_EQ(store()->status(ids[0])->state, db::AppState::encoded);
  EXPECT_EQ(good_cards(ids[0]), 1);
  auto stock = store()->stock();
  EXPECT_EQ(stock->front().used, 1);
  EXPECT_EQ(stock->front().spoiled, 0);
}

// A kill at each step of the session that writes: the command is killed as
// soon as the card has seen the `nth` command with this header (vcard
// --trace prints every command it gets; --slow-ms leaves a window while the
// card answers). The next run either records the complete card (ENCODED) or
// terminates and spoils it; a new blank card then gets the one good card.
struct KillStep {
  const char* name;
  const char* ins_p1;  // INS and P1 in hex, after CLA 80 or 84
  int nth;
  bool complete;  // the card is complete and locked when the kill lands
};

void PrintTo(const KillStep& s, std::ostream* os) { *os << s.name; }

class KillAtEveryStep : public ClaimsThroughPcsc, public ::testing::WithParamInterface<KillStep> {
 protected:
  static int seen(const std::string& trace, const std::string& ins_p1) {
    int n = 0;
    for (const char* cla : {"<- 80", "<- 84"})
      for (auto at = trace.find(cla + ins_p1); at != std::string::npos;
           at = trace.find(cla + ins_p1, at + 1))
        ++n;
    return n;
  }
};

TEST_P(KillAtEveryStep, TheNextRunLeavesOneGoodCard) {
  const KillStep step = GetParam();
  const auto ids = import_applications(1);
  insert(kSlot0, "35963", "CAFE0001", {"--trace", "--slow-ms", "40"});
  auto encode = ChildProcess::start(encode_args(ids[0], kSlot0));
  bool reached = false;
  for (int i = 0; i < 30000 && !reached; ++i) {
    reached = seen(cards_.at(kSlot0).stderr_text(), step.ins_p1) >= step.nth;
    if (!reached) std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(reached) << step.name << " never reached the card";
  ::kill(encode.pid(), SIGKILL);
  encode.wait();
  ASSERT_EQ(store()->status(ids[0])->state, db::AppState::encoding);
  const std::string first_chip = store()->active_claim(ids[0])->value().chip_id;

  auto again = run_command(encode_args(ids[0], kSlot0));
  auto first = store()->card(first_chip);
  ASSERT_TRUE(first.ok() && first->has_value());
  if (step.complete) {
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ((*first)->state, db::CardState::encoded) << "the complete card is recorded";
  } else {
    // Incomplete: never usable (terminated), spoiled, and a new blank card
    // is asked for.
    EXPECT_EQ(again.exit_code, 1) << again.err;
    EXPECT_EQ((*first)->state, db::CardState::spoiled);
    EXPECT_EQ((*first)->reason, "interrupted_terminated");
    EXPECT_EQ(store()->status(ids[0])->state, db::AppState::queued);
    insert(kSlot0, "35963", "CAFE0002");
    auto last = run_command(encode_args(ids[0], kSlot0));
    EXPECT_EQ(last.exit_code, 0) << last.err;
  }
  EXPECT_EQ(store()->status(ids[0])->state, db::AppState::encoded);
  EXPECT_EQ(good_cards(ids[0]), 1);
  const auto stock = store()->stock()->front();
  EXPECT_EQ(stock.used, 1);
  EXPECT_EQ(stock.spoiled, step.complete ? 0 : 1);
  EXPECT_EQ(stock.in_progress, 0);
}

// A PC/SC reader through which pcscd itself is stopped just before the
// second STORE DATA: the command then meets pcsc-lite with no service
// behind it, as when pcscd crashes or is restarted mid-session.
class PcscdStopsMidSession final : public card::Reader {
 public:
  PcscdStopsMidSession(std::unique_ptr<card::Reader> inner, std::function<void()> stop)
      : inner_(std::move(inner)), stop_(std::move(stop)) {}
  std::string name() const override { return inner_->name(); }
  Result<card::Bytes> connect() override { return inner_->connect(); }
  Status disconnect() override { return inner_->disconnect(); }
  Result<card::ResponseApdu> transmit(const card::CommandApdu& c) override {
    if (c.ins == 0xE2 && ++stores_ == 2) stop_();
    return inner_->transmit(c);
  }
  Status wait_for_card(std::chrono::milliseconds t) override { return inner_->wait_for_card(t); }
  Status wait_for_removal(std::chrono::milliseconds t) override {
    return inner_->wait_for_removal(t);
  }

 private:
  std::unique_ptr<card::Reader> inner_;
  std::function<void()> stop_;
  int stores_ = 0;
};

// pcscd gone mid-session: the session ends as reader_lost, the card (with
// half its data, and no way to terminate it) is spoiled with its numbers
// retired, the application goes back to the queue; pcscd restarted, the
// next card makes it.
TEST_F(ClaimsThroughPcsc, PcscdStoppedMidSessionIsReaderLostAndNothingIsLost) {
  const auto ids = import_applications(1);
  insert(kSlot0, "35963", "CAFE0001");
  auto hsm = open_soft_hsm(dir_.path());
  ASSERT_NE(hsm, nullptr);
  auto st = store();
  server::Issuance issuance(*st, *hsm, profile_, "test");
  ASSERT_TRUE(issuance.prepare(ids[0]).ok());
  auto pcsc = card::open_pcsc_reader(kSlot0);
  ASSERT_TRUE(pcsc.ok()) << pcsc.error().describe();
  const bool ours = pcscd_.has_value();
  PcscdStopsMidSession reader(std::move(*pcsc), [this] { EXPECT_TRUE(stop_pcscd(pcscd_)); });

  auto lost = issuance.encode(ids[0], reader);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, personalization::EncodeError::reader_lost)
      << lost.error().describe();
  EXPECT_EQ(st->status(ids[0])->state, db::AppState::queued);
  auto cards = st->cards_of(ids[0]);
  ASSERT_TRUE(cards.ok() && cards->size() == 1u);
  EXPECT_EQ((*cards)[0].state, db::CardState::spoiled);
  EXPECT_EQ((*cards)[0].reason, "reader_lost");
  EXPECT_EQ(st->retired_numbers()->size(), 1u) << "a card that could not be terminated";

  // The machine's pcscd comes back as it was (a daemon), or ours as ours.
  ASSERT_EQ(restart_pcscd(pcscd_, ours, kSlot1), "");
  insert(kSlot0, "35963", "CAFE0002");
  auto again = run_command(encode_args(ids[0], kSlot0));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(st->status(ids[0])->state, db::AppState::encoded);
  EXPECT_EQ(good_cards(ids[0]), 1);
}

INSTANTIATE_TEST_SUITE_P(Steps, KillAtEveryStep,
                         ::testing::Values(KillStep{"AfterInstall", "E620", 1, false},
                                           KillStep{"AfterTheFirstStoreData", "E2", 1, false},
                                           KillStep{"AfterTheThirdStoreData", "E2", 3, false},
                                           // the lock's INITIALIZE UPDATE: every STORE
                                           // DATA written and read back, no SET STATUS yet
                                           KillStep{"BeforeSetStatus", "50", 2, false},
                                           KillStep{"AfterSetStatus", "F080", 1, true}),
                         [](const ::testing::TestParamInfo<KillStep>& step) {
                           return std::string(step.param.name);
                         });

}  // namespace
}  // namespace cardd::test
