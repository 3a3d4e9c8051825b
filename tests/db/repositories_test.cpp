// The store used only through its repository interfaces, as the consumers
// that need one concern use it: what a second implementation must do too.
#include <gtest/gtest.h>

#include "cardd/db/application_repository.h"
#include "cardd/db/audit_repository.h"
#include "cardd/db/card_repository.h"
#include "cardd/db/outbox_repository.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

// Intake, preparation and encoding of one application, seen from the
// interfaces alone.
Status issue_one(ApplicationRepository& applications, CardRepository& cards,
                 const NewApplication& app, std::string_view chip) {
  const std::vector<NewApplication> batch{app};
  auto outcomes = applications.ingest(IngestBatch{batch, "test", "tester", std::nullopt, "", {}});
  if (!outcomes) return outcomes.error();
  if (auto s = applications.transition(app.application_id, AppState::queued, "t", ""); !s) return s;
  PreparedRecord r;
  r.profile = "p";
  r.card_number = "CN-" + app.application_id;
  r.pan = "PAN-" + app.application_id;
  r.issue_date = CivilDate{2026, 11, 30};
  r.expiry_date = CivilDate{2036, 11, 30};
  r.name = app.personal.name;
  r.id_number = app.personal.id_number;
  if (auto s = cards.save_prepared(app.application_id, r, "t"); !s) return s;
  if (auto s = cards.claim_card(app.application_id, chip, "t"); !s) return s;
  return cards.finish_card(app.application_id, chip, "t");
}

TEST_F(StoreTest, ApplicationsAndCardsThroughTheirInterfaces) {
  ApplicationRepository& applications = *store_;
  CardRepository& cards = *store_;
  ASSERT_TRUE(cards.add_lot(CardLot{"LOT-1", "", 0xCAFE0001, 2}, "t").ok());

  auto issued = issue_one(applications, cards, sample("A1"), "47905301CAFE0001");
  ASSERT_TRUE(issued.ok()) << issued.error().describe();

  EXPECT_EQ(applications.status("A1")->state, AppState::encoded);
  auto of = cards.cards_of("A1");
  ASSERT_TRUE(of.ok());
  ASSERT_EQ(of->size(), 1u);
  EXPECT_EQ((*of)[0].state, CardState::encoded);
  auto stock = cards.stock();
  ASSERT_TRUE(stock.ok());
  ASSERT_EQ(stock->size(), 1u);
  EXPECT_EQ((*stock)[0].used, 1);
  EXPECT_EQ((*stock)[0].left, 1);

  // A chip outside the stock is refused through the interface as well.
  auto foreign = issue_one(applications, cards, sample("A2"), "47905301DEAD0001");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, DbError::not_in_stock);
}

TEST_F(StoreTest, OutboxAndAuditThroughTheirInterfaces) {
  ingest({sample("A1")});
  OutboxRepository& outbox = *store_;
  AuditRepository& audit = *store_;

  auto backlog = outbox.outbox_backlog();
  ASSERT_TRUE(backlog.ok());
  EXPECT_GE(*backlog, 1) << "the validation is reported";
  auto pending = outbox.pending_outbox(100);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(static_cast<std::int64_t>(pending->size()), *backlog);
  EXPECT_EQ(pending->front().application_id, "A1");

  auto before = audit.verify_audit_chain();
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(audit.audit("t", "test.entry", "A1", "through the interface").ok());
  auto after = audit.verify_audit_chain();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->intact);
  EXPECT_EQ(after->entries, before->entries + 1);
  EXPECT_EQ(*audit.quick_check(), "ok");
}

}  // namespace
}  // namespace cardd::db::test
