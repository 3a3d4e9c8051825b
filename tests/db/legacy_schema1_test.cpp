// A database as the first schema left it (an application with its history,
// unsent status changes, the bureau's cursor, an audit chain of the time,
// personal data behind a zero byte) opened by this cardd: every later
// migration runs over the data and none of it is lost.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "legacy_schema.h"
#include "raw_sql.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

constexpr const char* kIdNumber = "110105195001011234";
constexpr const char* kName = "李四";

class LegacySchema1 : public ::testing::Test {
 protected:
  std::string path() const { return (dir_.path() / "first.db").string(); }

  void SetUp() override {
    // Schema 2 less what migration 2 added is schema 1.
    exec(path(), std::string(kSchema2) +
                     "DROP TABLE prepared_cards; DROP TABLE allocators; DROP TABLE cards; "
                     "DROP TABLE card_lots; PRAGMA user_version = 1;");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    const nlohmann::json public_data = {{"name", kName},
                                        {"residence_address", "北京市海淀区某街3号"},
                                        {"birth_date", "1950-01-01"},
                                        {"gender", "male"},
                                        {"issuing_bank", "ICBC"},
                                        {"collection", "mail"},
                                        {"recipient",
                                         {{"name", kName},
                                          {"address", "北京市海淀区某街3号"},
                                          {"postal_code", "100080"},
                                          {"district", "110108"}}}};
    const std::string pd = public_data.dump(), id = std::string(1, '\0') + kIdNumber,
                      mobile = std::string(1, '\0') + "13800001111";
    sqlite3_stmt* app = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO applications VALUES ('A1', 'VALIDATED', 'mail', 'h1', "
                       "'bureau', ?1, NULL, ?2, ?3, ?3, 't1', 't2', 2)",
                       -1, &app, nullptr);
    sqlite3_bind_text(app, 1, pd.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_blob(app, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_blob(app, 3, mobile.data(), static_cast<int>(mobile.size()), SQLITE_STATIC);
    ASSERT_EQ(sqlite3_step(app), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_finalize(app);
    sqlite3_close(db);

    std::string audit, prev(64, '0');
    for (int seq = 1; seq <= 2; ++seq) {
      const std::vector<std::string> f{"2026-01-0" + std::to_string(seq) + "T08:00:00Z", "cardctl",
                                       "import", "A1", "entry " + std::to_string(seq)};
      const std::string hash = legacy_hash(prev, seq, f);
      audit += "INSERT INTO audit_log VALUES (" + std::to_string(seq) + ", '" + f[0] + "', '" +
               f[1] + "', '" + f[2] + "', '" + f[3] + "', '" + f[4] + "', '" + prev + "', '" +
               hash + "');";
      prev = hash;
    }
    exec(path(),
         "INSERT INTO state_history VALUES (1, 'A1', NULL, 'RECEIVED', 't1', 'bureau pull', NULL);"
         "INSERT INTO state_history VALUES (2, 'A1', 'RECEIVED', 'VALIDATED', 't2', "
         "'bureau pull', NULL);"
         "INSERT INTO outbox(application_id, event_id, payload, created_at) VALUES "
         "('A1', 'A1:1', '{\"state\":\"RECEIVED\"}', 't1'),"
         "('A1', 'A1:2', '{\"state\":\"VALIDATED\"}', 't2');"
         "INSERT INTO intake_cursors VALUES ('bureau', 'c42', 't2');" +
             audit);
  }

  cardd::test::TempDir dir_;
  TestSealer sealer_;
  TestAuditSigner signer_;
};

TEST_F(LegacySchema1, EveryMigrationRunsOverTheDataAndKeepsIt) {
  StoreOptions options;
  options.sealer = &sealer_;
  options.audit_signer = &signer_;
  auto opened = Store::open(path(), options);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  Store& store = **opened;
  EXPECT_EQ(std::stoi(text(path(), "PRAGMA user_version")), store.schema_version());
  EXPECT_GT(store.schema_version(), 2);

  auto status = store.status("A1");
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(status->state, AppState::validated);
  ASSERT_EQ(status->history.size(), 2u);
  EXPECT_EQ(status->history[0].to, AppState::received);
  EXPECT_EQ(status->history[1].from, AppState::received);
  EXPECT_EQ(status->history[1].actor, "bureau pull");
  ASSERT_TRUE(status->details);
  EXPECT_EQ(status->details->recipient_postal_code, "100080");

  auto pending = store.pending_outbox(10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u) << "status changes not yet sent are still to send";
  EXPECT_EQ((*pending)[0].event_id, "A1:1");
  EXPECT_EQ((*pending)[1].payload, R"({"state":"VALIDATED"})");
  EXPECT_EQ(store.cursor("bureau")->value_or(""), "c42") << "the pull resumes where it was";

  auto personal = store.sensitive("A1", "t", "test");
  ASSERT_TRUE(personal.ok()) << personal.error().describe();
  EXPECT_EQ(personal->id_number, kIdNumber);
  EXPECT_EQ(personal->name, kName);
  EXPECT_EQ(*store.find_by_id_number(kIdNumber), std::vector<std::string>{"A1"});
  EXPECT_EQ(text(path(), "SELECT id_tail_hash IS NOT NULL FROM applications"), "1")
      << "the ID number's tail hash is filled for the branch search";

  auto chain = store.verify_audit_chain();
  ASSERT_TRUE(chain.ok()) << chain.error().describe();
  EXPECT_TRUE(chain->intact) << chain->why;
  EXPECT_GT(chain->entries, 2) << "the old entries, and the migration's own";

  // Tables of later schemas work on the migrated file.
  ASSERT_TRUE(store.add_lot(CardLot{"LOT-1", "", 0x0A000001, 10}, "t").ok());
  EXPECT_EQ(store.stock()->size(), 1u);
}

}  // namespace
}  // namespace cardd::db::test
