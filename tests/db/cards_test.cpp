// Blank-card stock, cards bound to applications, allocators and prepared
// records: every compound change is one transaction, and the counts
// reconcile.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace cardd::db::test {
namespace {

PreparedRecord record(const std::string& card_number, const std::string& pan) {
  PreparedRecord r;
  r.profile = "p";
  r.card_number = card_number;
  r.pan = pan;
  r.issue_date = CivilDate{2026, 11, 30};
  r.expiry_date = CivilDate{2036, 11, 30};
  r.bank = "ICBC";
  r.name = "王小明";
  r.id_number = "11010519491231002X";
  r.data = "{}";
  return r;
}

class CardsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ingest({sample("A1"), sample("A2")});
    ASSERT_TRUE(store_->add_lot(CardLot{"LOT-1", "", 0xCAFE0001, 10}, "t").ok());
    for (const char* id : {"A1", "A2"}) {
      ASSERT_TRUE(store_->transition(id, AppState::queued, "t", "").ok());
      const std::string n(id);
      auto saved = store_->save_prepared(id, record("CN-" + n, "PAN-" + n), "t");
      ASSERT_TRUE(saved.ok()) << saved.error().describe();
    }
  }
  AppState state(const std::string& id) { return store_->status(id)->state; }
};

TEST_F(CardsTest, OverlappingOrRepeatedLotsAreRefused) {
  auto again = store_->add_lot(CardLot{"LOT-1", "", 0x10, 1}, "t");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, DbError::conflict);
  auto overlap = store_->add_lot(CardLot{"LOT-2", "47905301", 0xCAFE0009, 5}, "t");
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.error().message.find("overlaps lot LOT-1"), std::string::npos);
  EXPECT_TRUE(store_->add_lot(CardLot{"LOT-2", "47905301", 0xCAFE000B, 5}, "t").ok());
}

TEST_F(CardsTest, OnlyUnusedChipsOfALoadedLotCanBeClaimed) {
  auto foreign = store_->claim_card("A1", "47905301DEAD0001", "t");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, DbError::not_in_stock);
  EXPECT_EQ(state("A1"), AppState::prepared) << "a refused chip changes nothing";
  ASSERT_TRUE(store_->claim_card("A1", "47905301CAFE0001", "t").ok());
  EXPECT_EQ(state("A1"), AppState::encoding);
  auto twice = store_->claim_card("A2", "47905301CAFE0001", "t");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, DbError::card_used);
  EXPECT_EQ(state("A2"), AppState::prepared);
}

TEST_F(CardsTest, SpoiledCardRequeuesAndStockReconciles) {
  ASSERT_TRUE(store_->claim_card("A1", "47905301CAFE0001", "t").ok());
  ASSERT_TRUE(store_->spoil_card("A1", "47905301CAFE0001", "card_removed", "t").ok());
  EXPECT_EQ(state("A1"), AppState::queued);
  // Re-preparation keeps the first numbers.
  ASSERT_TRUE(store_->save_prepared("A1", record("CN-other", "PAN-other"), "t").ok());
  auto kept = store_->prepared("A1", "t", "test");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->card_number, "CN-A1");
  EXPECT_EQ((*kept)->pan, "PAN-A1");
  EXPECT_EQ((*kept)->issue_date, (CivilDate{2026, 11, 30}));
  EXPECT_EQ((*kept)->name, "王小明");
  ASSERT_TRUE(store_->claim_card("A1", "47905301CAFE0002", "t").ok());
  ASSERT_TRUE(store_->finish_card("A1", "47905301CAFE0002", "t").ok());
  EXPECT_EQ(state("A1"), AppState::encoded);
  ASSERT_TRUE(store_->claim_card("A2", "47905301CAFE0003", "t").ok());

  auto cards = store_->cards_of("A1");
  ASSERT_TRUE(cards.ok());
  ASSERT_EQ(cards->size(), 2u);
  EXPECT_EQ((*cards)[0].state, CardState::spoiled);
  EXPECT_EQ((*cards)[0].reason, "card_removed");
  EXPECT_EQ((*cards)[1].state, CardState::encoded);
  auto stock = store_->stock();
  ASSERT_TRUE(stock.ok());
  ASSERT_EQ(stock->size(), 1u);
  const StockLine& l = stock->front();
  EXPECT_EQ(l.received, 10);
  EXPECT_EQ(l.used, 1);
  EXPECT_EQ(l.spoiled, 1);
  EXPECT_EQ(l.in_progress, 1);
  EXPECT_EQ(l.left, 7);
  EXPECT_EQ(l.received, l.used + l.spoiled + l.in_progress + l.left);
}

TEST_F(CardsTest, ACardSpoiledWithItsNumbersRetiredLeavesThemBehind) {
  ASSERT_TRUE(store_->claim_card("A1", "47905301CAFE0001", "t").ok());
  ASSERT_TRUE(
      store_->spoil_card_retiring_numbers("A1", "47905301CAFE0001", "card_removed", "t").ok());
  EXPECT_EQ(state("A1"), AppState::queued);
  auto gone = store_->prepared("A1", "t", "test");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value()) << "the next preparation allocates new numbers";
  EXPECT_NE(store_->application_document("A1")->find(R"("card_number":null)"), std::string::npos)
      << "the document no longer names the retired number";
  auto retired = store_->retired_numbers();
  ASSERT_TRUE(retired.ok());
  ASSERT_EQ(retired->size(), 1u);
  EXPECT_EQ(retired->front().card_number, "CN-A1");
  EXPECT_EQ(retired->front().chip_id, "47905301CAFE0001");
  EXPECT_EQ(retired->front().reason, "card_removed");
  // New numbers are taken; the retired ones can never come back.
  ASSERT_TRUE(store_->save_prepared("A1", record("CN-new", "PAN-new"), "t").ok());
  EXPECT_EQ((*store_->prepared("A1", "t", "test"))->card_number, "CN-new");
  EXPECT_NE(store_->application_document("A1")->find(R"("card_number":"**-new")"),
            std::string::npos);
  ASSERT_TRUE(store_->claim_card("A1", "47905301CAFE0002", "t").ok());
  ASSERT_TRUE(
      store_->spoil_card_retiring_numbers("A1", "47905301CAFE0002", "card_removed", "t").ok());
  ASSERT_FALSE(store_->save_prepared("A1", record("CN-A1", "PAN-other"), "t").ok())
      << "a retired card number is never prepared again";
  EXPECT_EQ(store_->retired_numbers()->size(), 2u);
}

TEST_F(CardsTest, AFinishedCardIsFinishedOnceAndSpoiledOnlyByPrintingOrQc) {
  ASSERT_TRUE(store_->claim_card("A1", "47905301CAFE0001", "t").ok());
  ASSERT_TRUE(store_->finish_card("A1", "47905301CAFE0001", "t").ok());
  EXPECT_FALSE(store_->finish_card("A1", "47905301CAFE0001", "t").ok());
  EXPECT_FALSE(store_->finish_card("A2", "47905301CAFE0001", "t").ok()) << "not A2's card";
  EXPECT_FALSE(store_->spoil_card("A2", "47905301CAFE0001", "late", "t").ok()) << "not A2's card";
  EXPECT_EQ(state("A1"), AppState::encoded);
  // QC found the printed card wrong: spoiled, the application queued again.
  ASSERT_TRUE(store_->spoil_card("A1", "47905301CAFE0001", "qc_mismatch", "t").ok());
  EXPECT_EQ(state("A1"), AppState::queued);
  EXPECT_FALSE(store_->spoil_card("A1", "47905301CAFE0001", "again", "t").ok());
  EXPECT_EQ(store_->cards_of("A1")->front().reason, "qc_mismatch");
}

TEST_F(CardsTest, APanIsUniqueThroughItsKeyedHash) {
  ingest({sample("A3")});
  ASSERT_TRUE(store_->transition("A3", AppState::queued, "t", "").ok());
  auto twice = store_->save_prepared("A3", record("CN-A3", "PAN-A1"), "t");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(state("A3"), AppState::queued);
  EXPECT_TRUE(store_->save_prepared("A3", record("CN-A3", "PAN-A3"), "t").ok());
}

TEST_F(CardsTest, AllocatorsNeverHandOutANumberTwice) {
  std::set<std::int64_t> seen;
  for (int i = 0; i < 5; ++i) {
    auto n = store_->allocate("card_number:p", 100, 104);
    ASSERT_TRUE(n.ok());
    EXPECT_TRUE(seen.insert(*n).second);
  }
  auto reopened = open();
  auto exhausted = reopened->allocate("card_number:p", 100, 104);
  ASSERT_FALSE(exhausted.ok());
  EXPECT_EQ(exhausted.error().code, DbError::exhausted);
  EXPECT_EQ(*reopened->allocate("account:621226", 1, 9), 1);
}

// What `cardctl report` sums up: every application counted once per state it
// reached (from its history), spoiled cards per reason, one outbox message
// per state change.
TEST_F(CardsTest, TheJourneyCountsEachApplicationOncePerStateReached) {
  ASSERT_TRUE(store_->claim_card("A1", "47905301CAFE0001", "t").ok());
  ASSERT_TRUE(store_->spoil_card("A1", "47905301CAFE0001", "card_removed", "t").ok());
  ASSERT_TRUE(store_->save_prepared("A1", record("CN-A1", "PAN-A1"), "t").ok());
  ASSERT_TRUE(store_->claim_card("A1", "47905301CAFE0002", "t").ok());
  ASSERT_TRUE(store_->spoil_card("A1", "47905301CAFE0002", "card_removed", "t").ok());
  ASSERT_TRUE(store_->claim_card("A2", "47905301CAFE0003", "t").ok());
  ASSERT_TRUE(store_->spoil_card("A2", "47905301CAFE0003", "interrupted", "t").ok());

  auto reached = store_->count_reached();
  ASSERT_TRUE(reached.ok());
  EXPECT_EQ((*reached)[AppState::encoding], 2) << "A1 twice, counted once";
  EXPECT_EQ((*reached)[AppState::queued], 2);
  EXPECT_EQ(reached->count(AppState::encoded), 0u);
  auto spoiled = store_->spoiled_by_reason();
  ASSERT_TRUE(spoiled.ok());
  EXPECT_EQ(*spoiled,
            (std::map<std::string, std::int64_t>{{"card_removed", 2}, {"interrupted", 1}}));
  auto total = store_->outbox_total(), backlog = store_->outbox_backlog();
  ASSERT_TRUE(total.ok() && backlog.ok());
  EXPECT_EQ(*total, *backlog) << "nothing sent yet";
  auto pending = store_->pending_outbox(1000);
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE(store_->mark_sent(pending->front().seq).ok());
  EXPECT_EQ(*store_->outbox_total(), *total) << "a sent message still counts as a change";
  EXPECT_EQ(*store_->outbox_backlog(), *total - 1);
}

}  // namespace
}  // namespace cardd::db::test
