// HTTP API tokens: only hashes are stored, creating and revoking are
// audited, a revoked token stays listed.
#include <gtest/gtest.h>

#include "cardd/db/token_repository.h"
#include "raw_sql.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

TEST_F(StoreTest, ATokenIsFoundByItsHashListedAndRevokedWithAudit) {
  TokenRepository& tokens = *store_;
  auto id = tokens.add_token({"aa11", "branch", "0101", "counter 1", "2027-01-01T00:00:00Z"},
                             "alice@host");
  ASSERT_TRUE(id.ok()) << id.error().describe();
  auto other = tokens.add_token({"bb22", "operator", "", "", ""}, "alice@host");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*id, *other);

  auto found = tokens.token_by_hash("aa11");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, *id);
  EXPECT_EQ((*found)->role, "branch");
  EXPECT_EQ((*found)->branch, "0101");
  EXPECT_EQ((*found)->label, "counter 1");
  EXPECT_EQ((*found)->created_by, "alice@host");
  EXPECT_EQ((*found)->expires_at, "2027-01-01T00:00:00Z");
  EXPECT_TRUE((*found)->revoked_at.empty());
  EXPECT_FALSE(tokens.token_by_hash("cc33")->has_value());

  auto again = tokens.add_token({"aa11", "admin", "", "", ""}, "mallory");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, DbError::conflict);

  ASSERT_TRUE(tokens.revoke_token(*id, "bob@host").ok());
  ASSERT_TRUE(tokens.revoke_token(*id, "bob@host").ok()) << "revoking twice changes nothing";
  EXPECT_FALSE((*tokens.token_by_hash("aa11"))->revoked_at.empty());
  auto missing = tokens.revoke_token(999, "bob@host");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, DbError::not_found);

  auto all = tokens.tokens();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, *id);
  EXPECT_EQ(text(path(),
                 "SELECT group_concat(action, ',') FROM audit_log WHERE action LIKE "
                 "'token.%'"),
            "token.create,token.create,token.revoke");
  auto report = store_->verify_audit_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
}

}  // namespace
}  // namespace cardd::db::test
