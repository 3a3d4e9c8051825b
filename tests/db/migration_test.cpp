#include <sqlite3.h>

#include "raw_sql.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

int user_version(const std::string& path) { return std::stoi(text(path, "PRAGMA user_version")); }

TEST_F(StoreTest, MigratesAnEmptyFileToTheLatestSchema) {
  EXPECT_EQ(user_version(path()), store_->schema_version());
  EXPECT_GE(store_->schema_version(), 1);
  ingest({sample("A1")});  // every table the intake path uses exists
}

TEST_F(StoreTest, ReopeningDoesNotMigrateAgain) {
  ingest({sample("A1")});
  store_.reset();
  store_ = open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(user_version(path()), store_->schema_version());
  EXPECT_EQ(store_->status("A1")->history.size(), 2u);
}

TEST_F(StoreTest, ADatabaseFromANewerCarddIsRefused) {
  store_.reset();
  exec(path(), "PRAGMA user_version = 999");
  StoreOptions options;
  options.sealer = &sealer_;
  auto r = Store::open(path(), options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbError::migration_failed);
}

TEST_F(StoreTest, AFileThatIsNoDatabaseIsAClearError) {
  store_.reset();
  const std::string junk = (dir_.path() / "junk.db").string();
  FILE* f = std::fopen(junk.c_str(), "wb");
  std::fputs("this is not a database file, just text that goes on and on......................", f);
  std::fclose(f);
  auto r = Store::open(junk);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbError::open_failed) << r.error().describe();
}

TEST_F(StoreTest, WalModeAndForeignKeysAreOn) {
  EXPECT_EQ(text(path(), "PRAGMA journal_mode"), "wal");
  // The store's own connection enforces foreign keys: a prepared card for an
  // application that does not exist is refused by the key, nothing written.
  PreparedRecord card;
  card.profile = "p";
  card.card_number = "A00000009";
  card.pan = "6212260000000099999";
  card.issue_date = CivilDate{2026, 12, 1};
  card.expiry_date = CivilDate{2036, 12, 1};
  card.bank = "ICBC";
  auto saved = store_->save_prepared("NO-SUCH-APPLICATION", card, "t");
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.error().message.find("FOREIGN KEY"), std::string::npos)
      << saved.error().describe();
  EXPECT_EQ(text(path(), "SELECT COUNT(*) FROM prepared_cards"), "0");
}

}  // namespace
}  // namespace cardd::db::test

#include <sys/stat.h>

namespace cardd::db::test {
namespace {

TEST_F(StoreTest, ANewDatabaseIsReadableByItsOwnerOnly) {
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace cardd::db::test
