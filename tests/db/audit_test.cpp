// The MACed audit log against someone who can write the database file but
// cannot use the audit key: every edit, removal and cut is found, with the
// first broken entry named.
#include <sqlite3.h>

#include "raw_sql.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

class AuditTest : public StoreTest {
 protected:
  // Six entries: two per application (received, validated), two more.
  void SetUp() override {
    StoreTest::SetUp();
    ingest({sample("A1"), sample("A2")});
    ASSERT_TRUE(store_->audit("alice@host via test", "keys.list", "-", "listed").ok());
    ASSERT_TRUE(store_->audit("alice@host via test", "keys.list", "-", "again").ok());
  }
  AuditReport verify() {
    auto r = store_->verify_audit_chain();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
    return r.ok() ? *r : AuditReport{};
  }
};

TEST_F(AuditTest, IntactAfterNormalUseWithTheHeadAnchored) {
  ASSERT_TRUE(store_->transition("A1", AppState::queued, "w", "").ok());
  const AuditReport r = verify();
  EXPECT_TRUE(r.intact) << r.why;
  EXPECT_EQ(r.entries, 7);
  EXPECT_EQ(r.head_seq, 7);
  EXPECT_EQ(r.head_mac, text(path(), "SELECT mac FROM audit_log WHERE seq = 7"));
  EXPECT_EQ(text(path(), "SELECT count(*) FROM audit_head"), "1");
}

TEST_F(AuditTest, OneHeadMacPerTransactionNotPerEntry) {
  const int before = signer_.macs;
  ingest({sample("A3"), sample("A4")});  // one transaction, four entries
  EXPECT_EQ(signer_.macs - before, 5);
}

TEST_F(AuditTest, AnEditedFieldIsNamed) {
  exec(path(), "UPDATE audit_log SET detail = 'RECEIVED->REJECTED' WHERE seq = 2");
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_broken_seq, 2);
  EXPECT_EQ(r.fault, AuditFault::edited);
  EXPECT_EQ(r.why, "entry 2 was edited");
}

TEST_F(AuditTest, MovingTextAcrossAFieldBoundaryIsAnEdit) {
  // subject "A1" + detail "NEW->RECEIVED" becomes "A1N" + "EW->RECEIVED":
  // the same bytes joined, which a separator-joined hash could not tell apart
  // if the separator could occur in a field.
  exec(path(),
       "UPDATE audit_log SET subject = subject || substr(detail, 1, 1), detail = substr(detail, "
       "2) WHERE seq = 1");
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_broken_seq, 1);
}

TEST_F(AuditTest, AnEntryMacRecomputedWithoutTheKeyFails) {
  // Whoever edits a row cannot recompute its MAC: the SHA-256 the old chain
  // used is no help.
  exec(path(),
       "UPDATE audit_log SET actor = 'mallory', mac = lower(hex(randomblob(32))) WHERE "
       "seq = 3");
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_broken_seq, 3);
}

TEST_F(AuditTest, ADeletedMiddleEntryIsMissing) {
  exec(path(), "DELETE FROM audit_log WHERE seq = 3");
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_broken_seq, 3);
  EXPECT_EQ(r.fault, AuditFault::missing);
  EXPECT_EQ(r.why, "entry 3 missing");
}

TEST_F(AuditTest, EntriesCutOffTheEndAreDetected) {
  exec(path(), "DELETE FROM audit_log WHERE seq > 3");
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_broken_seq, 4);
  EXPECT_EQ(r.fault, AuditFault::removed);
  EXPECT_EQ(r.why, "entries after 3 were removed (head says 6)");
}

TEST_F(AuditTest, AHeadMovedBackWithoutTheKeyDoesNotVerify) {
  exec(path(), "DELETE FROM audit_log WHERE seq > 3");
  exec(path(), "UPDATE audit_head SET seq = 3, mac = (SELECT mac FROM audit_log WHERE seq = 3)");
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.fault, AuditFault::head_invalid);
  EXPECT_EQ(r.first_broken_seq, 3);
}

TEST_F(AuditTest, AppendingAfterACutKeepsTheGapVisible) {
  exec(path(), "DELETE FROM audit_log WHERE seq > 3");
  ASSERT_TRUE(store_->audit("alice@host via test", "keys.list", "-", "after the cut").ok());
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_broken_seq, 4);
  EXPECT_EQ(r.why, "entries 4 to 6 missing");
}

TEST_F(AuditTest, ARemovedHeadIsReportedAndStopsAppends) {
  exec(path(), "DELETE FROM audit_head");
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.fault, AuditFault::head_missing);
  auto appended = store_->audit("alice@host via test", "keys.list", "-", "x");
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().code, DbError::corrupt);
}

TEST_F(AuditTest, RotatedKeysVerifyEachEntryUnderItsOwnVersion) {
  signer_.version = 2;
  ASSERT_TRUE(store_->audit("alice@host via test", "keys.rotate", "-", "v2").ok());
  EXPECT_EQ(text(path(), "SELECT key_version FROM audit_log WHERE seq = 7"), "2");
  EXPECT_EQ(text(path(), "SELECT key_version FROM audit_log WHERE seq = 6"), "1");
  EXPECT_TRUE(verify().intact);
  signer_.version = 1;  // an HSM that lost version 2
  const AuditReport r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.fault, AuditFault::unknown_key);
  EXPECT_EQ(r.first_broken_seq, 7);
}

TEST_F(AuditTest, TheChainContinuesAcrossReopens) {
  store_.reset();
  store_ = open();
  ingest({sample("A3")});
  const AuditReport r = verify();
  EXPECT_TRUE(r.intact) << r.why;
  EXPECT_EQ(r.entries, 8);
}

TEST_F(AuditTest, WithoutASignerNothingIsAuditedOrVerified) {
  store_.reset();
  StoreOptions options;
  options.sealer = &sealer_;
  auto bare = Store::open(path(), options);
  ASSERT_TRUE(bare.ok()) << bare.error().describe();
  auto appended = (*bare)->audit("alice@host via test", "keys.list", "-", "x");
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().code, DbError::no_audit_signer);
  auto verified = (*bare)->verify_audit_chain();
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, DbError::no_audit_signer);
  EXPECT_FALSE((*bare)->transition("A1", AppState::queued, "w", "").ok())
      << "a state change whose audit entry cannot be written does not happen";
  EXPECT_EQ((*bare)->status("A1")->state, AppState::validated);
}

}  // namespace
}  // namespace cardd::db::test
