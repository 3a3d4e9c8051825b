// The two exactly-once probes of the service issue, with the operator's
// command through real pcscd, vpcd and vcard processes:
// - two `cardctl encode` of one application on two readers, the second
//   started while the first writes: the second is refused, the first's card
//   is the one good card;
// - `cardctl encode` killed right after SET STATUS reached the card: the next
//   run reads the card back and records it ENCODED, no second card.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "child_process.h"
#include "issuance_fixture.h"
#include "pcscd.h"

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

  void TearDown() override { remove_vcards(cards_); }

  void insert(const std::string& slot, const std::string& port, const std::string& serial,
              const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{
        "--port",   port,   "--state", (dir_.path() / (serial + ".json")).string(),
        "--serial", serial, "--kmc",   kTestKmc};
    args.insert(args.end(), extra.begin(), extra.end());
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
  insert(kSlot0, "35963", "CAFE0001", {"--slow-ms", "15"});
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

TEST_F(ClaimsThroughPcsc, AnEncodeKilledRightAfterSetStatusIsRecordedByTheNextRun) {
  const auto ids = import_applications(1);
  // The card tells (--trace) every command it gets; the operator's command
  // is killed as soon as SET STATUS (80 F0) has reached it, while the card
  // takes its time (--slow-ms) to answer.
  insert(kSlot0, "35963", "CAFE0001", {"--trace", "--slow-ms", "40"});
  ChildProcess& card = cards_.at(kSlot0);
  auto encode = ChildProcess::start(encode_args(ids[0], kSlot0));
  bool locked = false;
  for (int i = 0; i < 30000 && !locked; ++i) {
    const std::string seen = card.stderr_text();
    locked =
        seen.find("<- 80F080") != std::string::npos || seen.find("<- 84F080") != std::string::npos;
    if (!locked) std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(locked) << "SET STATUS never reached the card";
  ::kill(encode.pid(), SIGKILL);
  encode.wait();
  ASSERT_EQ(store()->status(ids[0])->state, db::AppState::encoding);
  auto again = run_command(encode_args(ids[0], kSlot0));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(store()->status(ids[0])->state, db::AppState::encoded);
  ASSERT_EQ(store()->cards_of(ids[0])->size(), 1u);
  EXPECT_EQ(good_cards(ids[0]), 1);
  EXPECT_EQ(store()->stock()->front().spoiled, 0);
}

}  // namespace
}  // namespace cardd::test
