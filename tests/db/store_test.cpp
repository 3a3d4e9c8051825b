#include "cardd/db/store.h"

#include <sqlite3.h>

#include "store_fixture.h"

namespace cardd::db::test {
namespace {

std::int64_t count_rows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  std::int64_t n = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

TEST_F(StoreTest, IngestStoresValidAndRejectedWithHistory) {
  const auto outcomes = ingest({sample("A1"), sample("A2", "v1", true)});
  ASSERT_EQ(outcomes, (std::vector{IngestOutcome::validated, IngestOutcome::rejected}));
  auto a1 = store_->status("A1");
  ASSERT_TRUE(a1.ok());
  EXPECT_EQ(a1->state, AppState::validated);
  ASSERT_EQ(a1->history.size(), 2u);
  EXPECT_FALSE(a1->history[0].from.has_value());
  EXPECT_EQ(a1->history[0].to, AppState::received);
  EXPECT_EQ(a1->history[1].to, AppState::validated);
  auto a2 = store_->status("A2");
  ASSERT_TRUE(a2.ok());
  EXPECT_EQ(a2->state, AppState::rejected);
  ASSERT_EQ(a2->rejection.size(), 1u);
  EXPECT_EQ(a2->rejection[0].code, "mobile.format");
  EXPECT_EQ(a2->rejection[0].field, "mobile");
  // Each transition wrote an outbox message and an audit entry.
  EXPECT_EQ(count_rows(path(), "SELECT count(*) FROM outbox"), 4);
  EXPECT_EQ(count_rows(path(), "SELECT count(*) FROM audit_log"), 4);
  auto outbox = store_->pending_outbox(10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 4u);
  EXPECT_NE(outbox->back().payload.find("\"state\":\"REJECTED\""), std::string::npos);
  EXPECT_NE(outbox->back().payload.find("mobile.format"), std::string::npos);
}

TEST_F(StoreTest, PersonalDataRoundTripsThroughTheSealerAndEveryReadIsAudited) {
  ingest({sample("A1")});
  auto s = store_->sensitive("A1", "clerk-7", "branch counter: identity check");
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(s->name, "王小明");
  EXPECT_EQ(s->id_number, "11010519491231002X");
  EXPECT_EQ(s->mobile, "13811112222");
  EXPECT_EQ(s->residence_address, "北京市朝阳区某街1号");
  EXPECT_EQ(s->recipient_name, "王大明");
  EXPECT_EQ(s->recipient_mobile, "13900001111");
  EXPECT_EQ(s->recipient_address, "北京市东城区某路2号");
  EXPECT_EQ(s->photo, std::string("\xFF\xD8photo\x00bytes", 13));
  EXPECT_EQ(s->id_back, "back");
  EXPECT_EQ(count_rows(path(),
                       "SELECT count(*) FROM audit_log WHERE action = 'personal.read' AND "
                       "actor = 'clerk-7' AND subject = 'A1' AND "
                       "detail = 'branch counter: identity check'"),
            1);
  // The clear details come back typed.
  auto st = store_->status("A1");
  ASSERT_TRUE(st.ok() && st->details.has_value());
  EXPECT_EQ(st->details->birth_date, (CivilDate{1949, 12, 31}));
  EXPECT_EQ(st->details->recipient_postal_code, "100020");
  EXPECT_EQ(st->collection, CollectionMethod::mail);
}

TEST_F(StoreTest, ApplicationsAreFoundByIdNumberAndNameThroughKeyedHashes) {
  NewApplication other = sample("A2");
  other.personal.name = "李四";
  other.personal.id_number = "110105194912310029";
  ingest({sample("A1"), other, sample("A3")});
  EXPECT_EQ(*store_->find_by_id_number("11010519491231002X"),
            (std::vector<std::string>{"A1", "A3"}));
  EXPECT_EQ(*store_->find_by_name("李四"), std::vector<std::string>{"A2"});
  EXPECT_TRUE(store_->find_by_name("王").value().empty());
  EXPECT_EQ(count_rows(path(), "SELECT count(*) FROM audit_log WHERE action = 'personal.read'"), 0);
}

TEST_F(StoreTest, WithoutASealerNothingPersonalGoesInOrOut) {
  ingest({sample("A1")});
  auto bare = Store::open(path());
  ASSERT_TRUE(bare.ok()) << bare.error().describe();
  EXPECT_EQ((*bare)->status("A1")->state, AppState::validated);
  EXPECT_EQ((*bare)->sensitive("A1", "t", "t").error().code, DbError::no_sealer);
  const std::vector apps{sample("A9")};
  EXPECT_EQ((*bare)->ingest(IngestBatch{apps, "t", "t", std::nullopt, "", {}}).error().code,
            DbError::no_sealer);
}

TEST_F(StoreTest, AValueCopiedIntoAnotherRowOrAlteredDoesNotOpen) {
  ingest({sample("A1"), sample("A2")});
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE applications SET personal = (SELECT personal FROM applications "
                         "WHERE application_id = 'A1') WHERE application_id = 'A2'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  // Flip the last byte of A1's photo.
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE application_images SET photo = CAST(substr(photo, 1, "
                         "length(photo) - 1) || CASE WHEN substr(photo, -1) = X'00' THEN X'01' "
                         "ELSE X'00' END AS BLOB) WHERE application_id = 'A1'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  store_ = open();
  EXPECT_EQ(store_->sensitive("A2", "t", "t").error().code, DbError::unsealable);
  EXPECT_EQ(store_->sensitive("A1", "t", "t").error().code, DbError::unsealable);
}

TEST_F(StoreTest, ReingestingTheSameContentChangesNothing) {
  ingest({sample("A1"), sample("A2")});
  const auto before = count_rows(path(), "SELECT count(*) FROM state_history");
  EXPECT_EQ(ingest({sample("A1"), sample("A2")}),
            (std::vector{IngestOutcome::duplicate, IngestOutcome::duplicate}));
  EXPECT_EQ(count_rows(path(), "SELECT count(*) FROM state_history"), before);
  EXPECT_EQ(count_rows(path(), "SELECT count(*) FROM outbox"), 4);
}

TEST_F(StoreTest, SameIdWithOtherContentIsAConflictAndKeptOut) {
  ingest({sample("A1", "v1")});
  EXPECT_EQ(ingest({sample("A1", "v2")}), std::vector{IngestOutcome::conflict});
  EXPECT_EQ(count_rows(path(), "SELECT count(*) FROM applications"), 1);
  EXPECT_EQ(count_rows(path(), "SELECT content_hash = 'hash-of-v1' FROM applications"), 1);
  EXPECT_EQ(count_rows(path(), "SELECT count(*) FROM audit_log WHERE action = 'intake.conflict'"),
            1);
}

TEST_F(StoreTest, LegalTransitionsAreRecordedIllegalOnesRefused) {
  ingest({sample("A1")});
  ASSERT_TRUE(store_->transition("A1", AppState::queued, "worker", "").ok());
  const Status illegal = store_->transition("A1", AppState::shipped, "worker", "");
  ASSERT_FALSE(illegal.ok());
  EXPECT_EQ(illegal.error().code, DbError::illegal_transition);
  EXPECT_NE(illegal.error().message.find("QUEUED -> SHIPPED"), std::string::npos);
  auto st = store_->status("A1");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, AppState::queued);
  EXPECT_EQ(st->history.size(), 3u);
  EXPECT_EQ(store_->transition("nope", AppState::queued, "w", "").error().code, DbError::not_found);
}

TEST_F(StoreTest, RejectedApplicationsCannotMoveOn) {
  ingest({sample("R1", "v1", true)});
  EXPECT_EQ(store_->transition("R1", AppState::queued, "w", "").error().code,
            DbError::illegal_transition);
}

TEST_F(StoreTest, CollectionDecidesTheRouteAfterQc) {
  NewApplication branch = sample("B1");
  branch.details.collection = CollectionMethod::branch;
  ingest({branch, sample("M1")});
  for (const char* id : {"B1", "M1"})
    for (AppState s : {AppState::queued, AppState::prepared, AppState::encoding, AppState::encoded,
                       AppState::printing, AppState::printed, AppState::qc_passed})
      ASSERT_TRUE(store_->transition(id, s, "w", "").ok()) << id << " " << to_string(s);
  EXPECT_FALSE(store_->transition("B1", AppState::packed, "w", "").ok());
  EXPECT_TRUE(store_->transition("B1", AppState::dispatched, "w", "").ok());
  EXPECT_FALSE(store_->transition("M1", AppState::dispatched, "w", "").ok());
  EXPECT_TRUE(store_->transition("M1", AppState::packed, "w", "").ok());
}

TEST_F(StoreTest, CursorMovesWithItsBatch) {
  const std::vector apps{sample("A1")};
  ASSERT_TRUE(
      store_->ingest(IngestBatch{apps, "bureau", "t", std::string("bureau"), "c1", {}}).ok());
  EXPECT_EQ(store_->cursor("bureau")->value_or(""), "c1");
  const std::vector more{sample("A2")};
  ASSERT_TRUE(
      store_->ingest(IngestBatch{more, "bureau", "t", std::string("bureau"), "c2", {}}).ok());
  EXPECT_EQ(store_->cursor("bureau")->value_or(""), "c2");
  EXPECT_FALSE(store_->cursor("other")->has_value());
}

TEST_F(StoreTest, AFailedBatchStoresNothingAndKeepsTheCursor) {
  // Another connection holds the write lock: the whole batch must fail.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  StoreOptions quick;
  quick.busy_timeout_ms = 50;
  quick.sealer = &sealer_;
  quick.audit_signer = &signer_;
  auto blocked = Store::open(path(), quick);
  ASSERT_TRUE(blocked.ok()) << blocked.error().describe();
  const std::vector apps{sample("X1"), sample("X2")};
  auto r = (*blocked)->ingest(IngestBatch{apps, "t", "t", std::string("bureau"), "c9", {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbError::busy);
  sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  EXPECT_EQ(count_rows(path(), "SELECT count(*) FROM applications"), 0);
  EXPECT_FALSE(store_->cursor("bureau")->has_value());
}

TEST_F(StoreTest, CountsByState) {
  ingest({sample("A1"), sample("A2"), sample("A3", "v", true)});
  auto counts = store_->count_by_state();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[AppState::validated], 2);
  EXPECT_EQ((*counts)[AppState::rejected], 1);
}

TEST_F(StoreTest, DataSurvivesReopening) {
  ingest({sample("A1")});
  store_.reset();
  store_ = open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->status("A1")->state, AppState::validated);
}

}  // namespace
}  // namespace cardd::db::test
