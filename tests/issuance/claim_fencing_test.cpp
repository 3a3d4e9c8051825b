// Exactly one good card per application, whatever happens to a session: a
// claim is not taken from a live holder, a session whose claim was taken
// over stops before its next write, and a session killed at any command is
// recovered by looking at its card before anything is spoiled.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>

#include "cardd/personalization/encoding_session.h"
#include "cardd/server/issuance.h"
#include "in_process_card.h"
#include "issuance_fixture.h"

namespace cardd::test {
namespace {

using personalization::EncodeError;

constexpr std::uint8_t kStoreData = 0xE2, kSetStatus = 0xF0;
// A holder on another host whose lease ran out: gone, as far as we can tell.
constexpr const char* kGoneHolder = "elsewhere/1/Virtual PCD 00 00";

std::string chip_id(std::uint32_t serial) { return fmt::format("47905301{:08X}", serial); }

// A reader that runs a callback after each command, and can die (the
// process killed) before a given command reaches the card.
class ScriptedReader final : public card::Reader {
 public:
  explicit ScriptedReader(vcard::VirtualCard& card) : inner_(card) {}
  std::string name() const override { return inner_.name(); }
  Result<card::Bytes> connect() override { return inner_.connect(); }
  Status disconnect() override { return inner_.disconnect(); }
  Result<card::ResponseApdu> transmit(const card::CommandApdu& c) override {
    if (sent == die_before || (die_after_lock && locked)) {
      died = true;
      return make_error(card::ReaderError::reader_lost, "the process was killed");
    }
    ++sent;
    if (c.ins == kStoreData) ++store_data;
    // Locked: both applications (SSSE, FIN), then the card, closed.
    if (c.ins == kSetStatus && ++set_status == 3) locked = true;
    auto answer = inner_.transmit(c);
    if (after) after();
    return answer;
  }
  Status wait_for_card(std::chrono::milliseconds t) override { return inner_.wait_for_card(t); }
  Status wait_for_removal(std::chrono::milliseconds t) override {
    return inner_.wait_for_removal(t);
  }

  std::function<void()> after;
  int die_before = -1;
  bool die_after_lock = false;  // killed right after the last SET STATUS
  int sent = 0;
  int store_data = 0;
  int set_status = 0;
  bool died = false;
  bool locked = false;  // SET STATUS reached the card

 private:
  vcard::InProcessReader inner_;
};

class ClaimFencing : public IssuanceFixture {
 protected:
  // Opened after the applications are imported (cardctl creates the file).
  db::Store& st() {
    if (!store_) store_ = store();
    return *store_;
  }
  hsm::Hsm& hsm() {
    if (!hsm_) hsm_ = open_soft_hsm(dir_.path());
    return *hsm_;
  }

  server::Issuance issuance() { return server::Issuance(st(), hsm(), profile_, "test"); }

  // A session of a process that dies before command `die_before` (its own
  // claim and writes recorded as a dead holder's, nothing spoiled).
  void killed_session(const std::string& id, ScriptedReader& reader, int die_before) {
    auto prepared = issuance().prepare(id);
    ASSERT_TRUE(prepared.ok()) << prepared.error().describe();
    reader.die_before = die_before;
    std::string claimed;
    personalization::EncodeHooks hooks;
    hooks.claim_chip = [&](const std::string& chip) -> Status {
      claimed = chip;
      return st().claim_card(id, chip, "test", kGoneHolder, -1);
    };
    hooks.hold_claim = [&]() { return st().hold_claim(id, claimed, kGoneHolder, -1); };
    (void)personalization::encode_card(reader, hsm(), profile_, *prepared, hooks);
  }

  Result<server::EncodeOutcome> encode(const std::string& id, vcard::VirtualCard& card) {
    vcard::InProcessReader reader(card);
    return issuance().encode(id, reader);
  }

  int good_cards(const std::string& id) {
    int n = 0;
    auto cards = st().cards_of(id);
    for (const auto& c : *cards) n += c.state == db::CardState::encoded ? 1 : 0;
    return n;
  }

  std::unique_ptr<hsm::Hsm> hsm_;
  std::unique_ptr<db::Store> store_;
};

TEST_F(ClaimFencing, ALiveHoldersClaimIsNotTakenOver) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  ASSERT_TRUE(issuance().prepare(ids[0]).ok());
  ASSERT_TRUE(st().claim_card(ids[0], chip_id(0xCAFE0001), "test", "elsewhere/1/r", 60).ok());
  auto other = blank_card(0xCAFE0002);
  auto r = encode(ids[0], *other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, db::DbError::claim_held);
  EXPECT_EQ(st().status(ids[0])->state, db::AppState::encoding);
  EXPECT_TRUE(other->state().ssse.records.empty());
  ASSERT_EQ(st().cards_of(ids[0])->size(), 1u);
  EXPECT_EQ(st().cards_of(ids[0])->front().state, db::CardState::encoding);
}

TEST_F(ClaimFencing, ASessionWhoseClaimWasTakenOverStopsBeforeItsNextWrite) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto card = blank_card(0xCAFE0001);
  ScriptedReader reader(*card);
  // Another session takes the application over once the first block is on
  // the card.
  reader.after = [&] {
    if (reader.store_data == 1 && st().active_claim(ids[0])->has_value()) {
      ASSERT_TRUE(st().spoil_card(ids[0], chip_id(0xCAFE0001), "interrupted", "taker").ok());
    }
  };
  auto r = issuance().encode(ids[0], reader);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EncodeError::claim_lost) << r.error().describe();
  EXPECT_EQ(reader.store_data, 1) << "no write after the claim was lost";
  EXPECT_EQ(card->state().life_cycle, vcard::LifeCycle::initialized);
  auto cards = st().cards_of(ids[0]);
  ASSERT_EQ(cards->size(), 1u);
  EXPECT_EQ(cards->front().reason, "interrupted") << "the loser spoils nothing";
  EXPECT_EQ(st().status(ids[0])->state, db::AppState::queued);
}

TEST_F(ClaimFencing, ACardWrittenElsewhereHoldsTheClaimUntilItIsBrought) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto first = blank_card(0xCAFE0001);
  // Killed after the secure channel and the first STORE DATA.
  ScriptedReader killed(*first);
  killed_session(ids[0], killed, 12);
  ASSERT_TRUE((*st().active_claim(ids[0]))->written);
  auto second = blank_card(0xCAFE0002);
  auto refused = encode(ids[0], *second);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, db::DbError::claim_held);
  EXPECT_NE(refused.error().message.find(chip_id(0xCAFE0001)), std::string::npos);
  EXPECT_TRUE(second->state().ssse.records.empty());

  auto settled = encode(ids[0], *first);
  ASSERT_FALSE(settled.ok());
  EXPECT_EQ(settled.error().code, db::DbError::card_used);
  EXPECT_EQ(first->state().life_cycle, vcard::LifeCycle::terminated);
  EXPECT_EQ(st().cards_of(ids[0])->front().reason, "interrupted_terminated");

  auto made = encode(ids[0], *second);
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(good_cards(ids[0]), 1);
}

// The process killed before each command of a whole session in turn (each
// application has its own photo, so its own number of commands): the next
// encode on the same reader records a complete card, or terminates an
// incomplete one and a fresh blank card is made; one good card every time.
TEST_F(ClaimFencing, AKillAtEveryStepLeavesExactlyOneGoodCard) {
  add_lot("L", "CAFE0000", 600);
  const auto ids = import_applications(250);
  int terminated = 0, recorded_after_lock = 0;
  bool whole_session = false;
  for (int k = 0; !whole_session; ++k) {
    ASSERT_LT(k, 250) << "a session longer than the test expects";
    SCOPED_TRACE(fmt::format("killed before command {}", k + 1));
    const std::string& id = ids[static_cast<std::size_t>(k)];
    auto in_reader = blank_card(0xCAFE0001 + static_cast<std::uint32_t>(2 * k));
    ScriptedReader killed(*in_reader);
    killed_session(id, killed, k);
    whole_session = !killed.died;
    auto again = encode(id, *in_reader);
    if (!again.ok()) {
      ASSERT_EQ(again.error().code, db::DbError::card_used) << again.error().describe();
      EXPECT_FALSE(killed.locked) << "a locked card is complete: recorded, never spoiled";
      EXPECT_EQ(in_reader->state().life_cycle, vcard::LifeCycle::terminated);
      ++terminated;
      auto next = blank_card(0xCAFE0002 + static_cast<std::uint32_t>(2 * k));
      auto made = encode(id, *next);
      ASSERT_TRUE(made.ok()) << made.error().describe();
    } else if (killed.locked) {
      ++recorded_after_lock;
      EXPECT_EQ(st().cards_of(id)->size(), 1u) << "the complete card was recorded";
    }
    EXPECT_EQ(good_cards(id), 1);
    EXPECT_EQ(st().status(id)->state, db::AppState::encoded);
  }
  EXPECT_GT(terminated, 100);
  EXPECT_GE(recorded_after_lock, 1) << "the whole session (application left ENCODING)";
}

// The probe that found two cards: encode killed right after the card was
// locked. The complete card is read back and recorded ENCODED; no second
// card, nothing spoiled.
TEST_F(ClaimFencing, KilledRightAfterSetStatusTheCompleteCardIsRecorded) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto card = blank_card(0xCAFE0001);
  ScriptedReader killed(*card);
  killed.die_after_lock = true;
  killed_session(ids[0], killed, -1);
  ASSERT_TRUE(killed.died && killed.locked);
  ASSERT_EQ(st().status(ids[0])->state, db::AppState::encoding);
  auto again = encode(ids[0], *card);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(again->chip_id, chip_id(0xCAFE0001));
  EXPECT_EQ(again->card_identification_code.size(), 32u);
  auto cards = st().cards_of(ids[0]);
  ASSERT_EQ(cards->size(), 1u);
  EXPECT_EQ(cards->front().state, db::CardState::encoded);
  EXPECT_EQ(card->state().life_cycle, vcard::LifeCycle::secured);
  EXPECT_EQ(st().stock()->front().spoiled, 0);
}

}  // namespace
}  // namespace cardd::test
