// A database from before sealing (schema 2: ID numbers and phones behind a
// zero byte, names and addresses in public_data, prepared cards sealed
// without associated data) is sealed when opened with a sealer, and refused
// without one.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "legacy_schema.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

constexpr const char* kIdNumber = "11010519491231002X";
constexpr const char* kName = "王小明";
constexpr const char* kMobile = "13811112222";
constexpr const char* kPan = "6212260000000012345";
const std::string kPhoto = "\xFF\xD8\xFF\xE0 a legacy photo that must not stay in the clear";

std::string legacy(const std::string& v) { return std::string(1, '\0') + v; }

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class LegacySealing : public ::testing::Test {
 protected:
  std::string path() const { return (dir_.path() / "old.db").string(); }

  void SetUp() override {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, kSchema2, nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    const nlohmann::json public_data = {{"name", kName},
                                        {"residence_address", "北京市朝阳区某街1号"},
                                        {"birth_date", "1949-12-31"},
                                        {"gender", "male"},
                                        {"issuing_bank", "ICBC"},
                                        {"collection", "mail"},
                                        {"recipient",
                                         {{"name", "王大明"},
                                          {"address", "北京市东城区某路2号"},
                                          {"postal_code", "100020"},
                                          {"district", "110101"}}}};
    sqlite3_stmt* app = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO applications VALUES (?1, ?2, 'mail', 'h', 'test', ?3, ?4, ?5, "
                       "?6, ?7, 't', 't', 1)",
                       -1, &app, nullptr);
    const std::string pd = public_data.dump(), id = legacy(kIdNumber), mobile = legacy(kMobile),
                      rmobile = legacy("13900001111"), photo = legacy(kPhoto);
    sqlite3_bind_text(app, 1, "A1", -1, SQLITE_STATIC);
    sqlite3_bind_text(app, 2, "PREPARED", -1, SQLITE_STATIC);
    sqlite3_bind_text(app, 3, pd.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_null(app, 4);
    sqlite3_bind_blob(app, 5, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_blob(app, 6, mobile.data(), static_cast<int>(mobile.size()), SQLITE_STATIC);
    sqlite3_bind_blob(app, 7, rmobile.data(), static_cast<int>(rmobile.size()), SQLITE_STATIC);
    ASSERT_EQ(sqlite3_step(app), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_finalize(app);
    ASSERT_EQ(sqlite3_exec(db,
                           "INSERT INTO applications VALUES ('R1', 'REJECTED', 'unknown', 'h2', "
                           "'test', '{}', '[]', X'00', X'00', X'00', 't', 't', 1)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt* img = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO application_images VALUES ('A1', ?1, X'0066', X'0062')", -1,
                       &img, nullptr);
    sqlite3_bind_blob(img, 1, photo.data(), static_cast<int>(photo.size()), SQLITE_STATIC);
    ASSERT_EQ(sqlite3_step(img), SQLITE_DONE);
    sqlite3_finalize(img);
    // Schema 2 sealed the prepared card bound to nothing.
    const nlohmann::json card = {{"pan", kPan},
                                 {"card_number", "A00000001"},
                                 {"issue_date", "2026-11-02"},
                                 {"expiry_date", "2036-11-02"}};
    const std::string sealed = *sealer_.seal(card.dump(), "");
    sqlite3_stmt* prep = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO prepared_cards VALUES ('A1', 'p', 'A00000001', ?1, ?2, 't')",
                       -1, &prep, nullptr);
    sqlite3_bind_text(prep, 1, kPan, -1, SQLITE_STATIC);
    sqlite3_bind_blob(prep, 2, sealed.data(), static_cast<int>(sealed.size()), SQLITE_STATIC);
    ASSERT_EQ(sqlite3_step(prep), SQLITE_DONE);
    sqlite3_finalize(prep);
    sqlite3_close(db);
    ASSERT_NE(file_bytes(path()).find(kIdNumber), std::string::npos) << "the set-up is in clear";
  }

  cardd::test::TempDir dir_;
  TestSealer sealer_;
  TestAuditSigner signer_;
};

TEST_F(LegacySealing, WithoutASealerTheOldDatabaseIsRefusedAndLeftAsItWas) {
  auto r = Store::open(path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbError::no_sealer);
  EXPECT_NE(r.error().message.find("init-storage"), std::string::npos);
  StoreOptions options;
  options.sealer = &sealer_;
  options.audit_signer = &signer_;
  EXPECT_TRUE(Store::open(path(), options).ok()) << "nothing was half migrated";
}

TEST_F(LegacySealing, OpeningWithASealerSealsEverythingInTheClear) {
  StoreOptions options;
  options.sealer = &sealer_;
  options.audit_signer = &signer_;
  {
    auto store = Store::open(path(), options);
    ASSERT_TRUE(store.ok()) << store.error().describe();
    auto personal = (*store)->sensitive("A1", "t", "test");
    ASSERT_TRUE(personal.ok()) << personal.error().describe();
    EXPECT_EQ(personal->name, kName);
    EXPECT_EQ(personal->id_number, kIdNumber);
    EXPECT_EQ(personal->mobile, kMobile);
    EXPECT_EQ(personal->recipient_name, "王大明");
    EXPECT_EQ(personal->recipient_address, "北京市东城区某路2号");
    EXPECT_EQ(personal->photo, kPhoto);
    auto status = (*store)->status("A1");
    ASSERT_TRUE(status.ok() && status->details);
    EXPECT_EQ(status->details->recipient_postal_code, "100020");
    EXPECT_EQ(status->details->issuing_bank, "ICBC");
    auto prepared = (*store)->prepared("A1", "t", "test");
    ASSERT_TRUE(prepared.ok() && prepared->has_value()) << prepared.error().describe();
    EXPECT_EQ((*prepared)->pan, kPan);
    EXPECT_EQ((*prepared)->name, kName);
    EXPECT_EQ((*prepared)->issue_date, (CivilDate{2026, 11, 2}));
    EXPECT_EQ(*(*store)->find_by_id_number(kIdNumber), std::vector<std::string>{"A1"});
    EXPECT_EQ((*store)->status("R1")->state, AppState::rejected);
  }
  // The last connection closed: WAL checkpointed into the file.
  const std::string bytes = file_bytes(path()) + file_bytes(path() + "-wal");
  for (const std::string& clear :
       {std::string(kIdNumber), std::string(kName), std::string(kMobile), std::string(kPan),
        kPhoto.substr(4, 20), std::string("王大明"), std::string("北京市东城区某路2号")})
    EXPECT_EQ(bytes.find(clear), std::string::npos) << clear;
}

}  // namespace
}  // namespace cardd::db::test
