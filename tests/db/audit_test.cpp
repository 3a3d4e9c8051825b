#include <sqlite3.h>

#include "store_fixture.h"

namespace cardd::db::test {
namespace {

void exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(StoreTest, AuditChainIsIntactAfterNormalUse) {
  ingest({sample("A1"), sample("A2", "x", true)});
  ASSERT_TRUE(store_->transition("A1", AppState::queued, "w", "").ok());
  ASSERT_TRUE(store_->audit("operator", "keys.list", "-", "listed").ok());
  auto report = store_->verify_audit_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->entries, 6);
}

TEST_F(StoreTest, AnEditedEntryBreaksTheChainThere) {
  ingest({sample("A1"), sample("A2")});
  exec(path(), "UPDATE audit_log SET detail = 'RECEIVED->REJECTED' WHERE seq = 2");
  auto report = store_->verify_audit_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_seq, 2);
}

TEST_F(StoreTest, ADeletedEntryBreaksTheChain) {
  ingest({sample("A1"), sample("A2")});
  exec(path(), "DELETE FROM audit_log WHERE seq = 2");
  auto report = store_->verify_audit_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->first_broken_seq, 3);
}

TEST_F(StoreTest, TheChainContinuesAcrossReopens) {
  ingest({sample("A1")});
  store_.reset();
  store_ = open();
  ingest({sample("A2")});
  auto report = store_->verify_audit_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->entries, 4);
}

}  // namespace
}  // namespace cardd::db::test
