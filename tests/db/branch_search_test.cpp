// A branch's cards found by the holder's full name or the ID number's last
// four characters through keyed hashes, and the hashes of applications
// stored before they existed (migration 11).
#include <gtest/gtest.h>

#include "raw_sql.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

NewApplication at_branch(const std::string& id, const std::string& branch, const std::string& name,
                         const std::string& id_number) {
  NewApplication a = sample(id);
  a.details.collection = CollectionMethod::branch;
  a.details.issuing_branch = branch;
  a.personal.name = name;
  a.personal.id_number = id_number;
  return a;
}

class BranchSearch : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ingest({at_branch("B1", "0101", "王小明", "11010519491231002X"),
            at_branch("B2", "0101", "李四", "110105195001011234"),
            at_branch("B3", "0202", "李四", "110105195202021234")});
  }

  std::vector<std::string> found(const std::string& branch, const std::string& name,
                                 const std::string& tail, const std::string& after = {},
                                 std::int64_t limit = 100) {
    BranchQuery q;
    q.state = AppState::validated;
    q.branch = branch;
    q.name = name;
    q.id_tail = tail;
    q.after_id = after;
    q.limit = limit;
    auto page = store_->at_branch(q);
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().describe());
    std::vector<std::string> ids;
    if (page.ok())
      for (const auto& w : *page) ids.push_back(w.application_id);
    return ids;
  }
};

using Ids = std::vector<std::string>;

TEST_F(BranchSearch, FindsABranchsCardsByNameOrIdTailOnly) {
  EXPECT_EQ(found("0101", "", ""), (Ids{"B1", "B2"}));
  EXPECT_EQ(found("0101", "李四", ""), Ids{"B2"}) << "not 0202's holder";
  EXPECT_EQ(found("0202", "", "1234"), Ids{"B3"});
  EXPECT_EQ(found("0101", "", "002x"), Ids{"B1"}) << "check character any case";
  EXPECT_EQ(found("0101", "", "01011234"), Ids{"B2"}) << "its last four";
  EXPECT_TRUE(found("0101", "王", "").empty()) << "the full name only";
  EXPECT_EQ(found("0101", "", "", "B1", 1), Ids{"B2"});
  EXPECT_TRUE(found("0303", "", "").empty());
}

TEST_F(BranchSearch, ApplicationsStoredBeforeTheTailHashGetItWhenOpened) {
  store_.reset();
  // The file as schema 10 left it: what migrations 11 to 13 add taken away.
  for (const char* trigger : {"on_history", "on_update", "on_card", "on_card_change",
                              "on_card_gone", "on_shipment", "on_shipment_change"})
    exec(path(), std::string("DROP TRIGGER application_documents_") + trigger);
  exec(path(),
       "DROP TABLE application_documents; DROP VIEW application_documents_live; "
       "DROP INDEX state_history_by_state; DROP INDEX applications_by_id_tail; "
       "DROP TABLE courier_events; "
       "ALTER TABLE applications DROP COLUMN id_tail_hash; PRAGMA user_version = 10;");
  StoreOptions no_keys;
  auto refused = Store::open(path(), no_keys);
  ASSERT_FALSE(refused.ok()) << "the hashes cannot be made without the sealer";
  EXPECT_EQ(refused.error().code, DbError::no_sealer);
  EXPECT_EQ(text(path(), "PRAGMA user_version"), "10") << "and the file is as it was";
  store_ = open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(found("0101", "", "1234"), Ids{"B2"});
  EXPECT_EQ(text(path(), "SELECT COUNT(*) FROM applications WHERE id_tail_hash IS NULL"), "0");
  EXPECT_EQ(text(path(), "SELECT COUNT(*) FROM application_documents"),
            text(path(), "SELECT COUNT(*) FROM applications"))
      << "every application stored before has its document";
}

}  // namespace
}  // namespace cardd::db::test
