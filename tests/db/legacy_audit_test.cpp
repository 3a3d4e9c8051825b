// A database from before audit MACs (a SHA-256 chain, fields joined by \x1f)
// has its entries MACed when opened with the audit key, one entry saying so,
// and is refused without the key, left as it was.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "legacy_schema.h"
#include "raw_sql.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

class LegacyAudit : public ::testing::Test {
 protected:
  // Schema 2 with five entries chained as the older cardd chained them;
  // `tamper` edits entry 3 after the fact (the old chain then breaks there).
  void make(bool tamper = false) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, kSchema2, nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    std::string prev(64, '0');
    for (int seq = 1; seq <= 5; ++seq) {
      const std::vector<std::string> f{"2026-11-0" + std::to_string(seq) + "T08:00:00Z", "cardctl",
                                       "keys.generate", "k" + std::to_string(seq), "kcv=ABCDEF"};
      const std::string hash = legacy_hash(prev, seq, f);
      sqlite3_stmt* s = nullptr;
      sqlite3_prepare_v2(db,
                         "INSERT INTO audit_log(seq, at, actor, action, subject, detail, "
                         "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                         -1, &s, nullptr);
      sqlite3_bind_int(s, 1, seq);
      for (int i = 0; i < 5; ++i)
        sqlite3_bind_text(s, i + 2, f[static_cast<std::size_t>(i)].c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 7, prev.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 8, hash.c_str(), -1, SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
      sqlite3_finalize(s);
      prev = hash;
    }
    if (tamper) {
      ASSERT_EQ(sqlite3_exec(db, "UPDATE audit_log SET detail = 'kcv=000000' WHERE seq = 3",
                             nullptr, nullptr, nullptr),
                SQLITE_OK);
    }
    sqlite3_close(db);
  }
  std::string path() const { return (dir_.path() / "old.db").string(); }

  cardd::test::TempDir dir_;
  TestSealer sealer_;
  TestAuditSigner signer_;
};

TEST_F(LegacyAudit, WithoutTheAuditKeyTheOldDatabaseIsRefusedAndLeftAsItWas) {
  make();
  StoreOptions options;
  options.sealer = &sealer_;
  auto r = Store::open(path(), options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbError::no_audit_signer);
  EXPECT_NE(r.error().message.find("init-storage"), std::string::npos);
  EXPECT_EQ(text(path(), "PRAGMA user_version"), "2") << "nothing was half migrated";
  EXPECT_EQ(text(path(), "SELECT count(*) FROM audit_log"), "5");
}

TEST_F(LegacyAudit, OpeningWithTheKeyMacsTheEntriesAndSaysSo) {
  make();
  StoreOptions options;
  options.sealer = &sealer_;
  options.audit_signer = &signer_;
  auto store = Store::open(path(), options);
  ASSERT_TRUE(store.ok()) << store.error().describe();
  auto r = (*store)->verify_audit_chain();
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->intact) << r->why;
  EXPECT_EQ(r->entries, 6);
  EXPECT_EQ(r->head_seq, 6);
  EXPECT_EQ(text(path(), "SELECT action FROM audit_log WHERE seq = 6"), "audit.migrated");
  const std::string detail = text(path(), "SELECT detail FROM audit_log WHERE seq = 6");
  EXPECT_NE(detail.find("entries 1..5 were chained by SHA-256 until now (that chain intact)"),
            std::string::npos)
      << detail;
  EXPECT_NE(text(path(), "SELECT actor FROM audit_log WHERE seq = 6").find('@'), std::string::npos)
      << "the migration names who ran it";
  // The migrated log is protected like a new one from here on.
  ASSERT_TRUE((*store)->audit("alice@host via test", "keys.list", "-", "after").ok());
  store->reset();
  sqlite3* db = nullptr;
  sqlite3_open(path().c_str(), &db);
  sqlite3_exec(db, "UPDATE audit_log SET subject = 'k9' WHERE seq = 2", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto again = Store::open(path(), options);
  ASSERT_TRUE(again.ok());
  auto broken = (*again)->verify_audit_chain();
  ASSERT_TRUE(broken.ok());
  EXPECT_FALSE(broken->intact);
  EXPECT_EQ(broken->first_broken_seq, 2);
}

TEST_F(LegacyAudit, AnOldChainAlreadyBrokenIsRecordedNotLaundered) {
  make(true);
  StoreOptions options;
  options.sealer = &sealer_;
  options.audit_signer = &signer_;
  ASSERT_TRUE(Store::open(path(), options).ok());
  EXPECT_NE(text(path(), "SELECT detail FROM audit_log WHERE seq = 6")
                .find("(that chain broken at entry 3)"),
            std::string::npos);
}

}  // namespace
}  // namespace cardd::db::test
