// cardctl audit verify against someone who edits the database file with
// SQL but cannot use the HSM's audit key: real cardctl, real soft keystore,
// real SQLite file.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "child_process.h"
#include "secret_file.h"

namespace cardd {
namespace {

using test::bin_path;
using test::run_command;
using test::RunResult;

class CardctlAuditTest : public ::testing::Test {
 protected:
  // Eight entries: the four keys of init-storage, then four lots.
  void SetUp() override {
    test::write_secret_file(file("passphrase"), "audit test keystore");
    const RunResult made = cardctl({"keys", "init-storage", "--db", db(), "--create-keystore"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    for (int i = 1; i <= 4; ++i) {
      const RunResult r =
          cardctl({"stock", "add-lot", "--db", db(), "--lot", "L" + std::to_string(i),
                   "--first-serial", "0000" + std::to_string(i) + "000", "--count", "10"},
                  true);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  RunResult cardctl(std::vector<std::string> args, bool with_hsm = true) {
    args.insert(args.begin(), bin_path("cardctl"));
    if (with_hsm)
      args.insert(args.end(),
                  {"--keystore", file("keys.cks"), "--passphrase-file", file("passphrase")});
    return run_command(args);
  }
  RunResult verify(bool json = false) {
    std::vector<std::string> args{"audit", "verify", "--db", db()};
    if (json) args.emplace_back("--json");
    return cardctl(args);
  }
  void sql(const std::string& statement) {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, statement.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(h);
    sqlite3_close(h);
  }
  std::vector<std::string> column(const std::string& query) {
    sqlite3* h = nullptr;
    sqlite3_open(db().c_str(), &h);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(h, query.c_str(), -1, &s, nullptr);
    std::vector<std::string> out;
    while (sqlite3_step(s) == SQLITE_ROW)
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    sqlite3_finalize(s);
    sqlite3_close(h);
    return out;
  }
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string db() const { return file("cardd.db"); }

  test::TempDir dir_;
};

TEST_F(CardctlAuditTest, AnIntactLogExitsZero) {
  const RunResult r = verify();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("audit chain: intact (8 entries); head anchored at entry 8"),
            std::string::npos)
      << r.out;
  const auto j = nlohmann::json::parse(verify(true).out);
  EXPECT_EQ(j["intact"], true);
  EXPECT_EQ(j["entries"], 8);
  EXPECT_EQ(j["head"]["seq"], 8);
}

TEST_F(CardctlAuditTest, EveryEntryNamesTheOsUserAndTheHost) {
  const auto actors = column("SELECT actor FROM audit_log");
  ASSERT_EQ(actors.size(), 8u);
  for (const auto& a : actors) {
    EXPECT_NE(a.find('@'), std::string::npos) << a;
    EXPECT_NE(a.find(" via cardctl "), std::string::npos) << a;
  }
}

TEST_F(CardctlAuditTest, AnEditedEntryIsNamed) {
  sql("UPDATE audit_log SET detail = '10 cards from serial 00009000' WHERE seq = 6");
  const RunResult r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("BROKEN at entry 6: entry 6 was edited"), std::string::npos) << r.out;
  const RunResult json = verify(true);
  EXPECT_EQ(json.exit_code, 1);
  const auto j = nlohmann::json::parse(json.out);  // one document, not two
  EXPECT_EQ(j["intact"], false);
  EXPECT_EQ(j["first_broken_seq"], 6);
  EXPECT_EQ(j["fault"], "edited");
  const RunResult report = cardctl({"report", "--db", db()});
  EXPECT_EQ(report.exit_code, 1);
  EXPECT_NE(report.out.find("audit chain: BROKEN at entry 6"), std::string::npos) << report.out;
}

TEST_F(CardctlAuditTest, ADeletedMiddleEntryIsMissing) {
  sql("DELETE FROM audit_log WHERE seq = 5");
  const RunResult r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("entry 5 missing"), std::string::npos) << r.out;
}

TEST_F(CardctlAuditTest, TheLastThreeEntriesCutOffAreDetected) {
  sql("DELETE FROM audit_log WHERE seq > 5");
  const RunResult r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("entries after 5 were removed (head says 8)"), std::string::npos) << r.out;
}

TEST_F(CardctlAuditTest, AHeadMovedToTheCutWithoutTheKeyIsDetected) {
  sql("DELETE FROM audit_log WHERE seq > 5");
  sql("UPDATE audit_head SET seq = 5, mac = (SELECT mac FROM audit_log WHERE seq = 5)");
  const RunResult r = verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("does not verify"), std::string::npos) << r.out;
}

TEST_F(CardctlAuditTest, WithoutTheHsmThereIsNoVerdict) {
  const RunResult r = cardctl({"audit", "verify", "--db", db()}, false);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.out.find("intact"), std::string::npos);
  const RunResult typo = cardctl({"audit", "verify", "--db", file("typo.db")});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("does not exist"), std::string::npos);
}

TEST_F(CardctlAuditTest, RotatedAuditKeyKeepsOldEntriesVerifiable) {
  const RunResult rotated = cardctl({"keys", "init-storage", "--db", db(), "--rotate"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("cardd.audit.mac.v2"), std::string::npos) << rotated.out;
  EXPECT_EQ(verify().exit_code, 0) << verify().out;
  const auto versions = column("SELECT DISTINCT key_version FROM audit_log ORDER BY 1");
  EXPECT_EQ(versions, (std::vector<std::string>{"1", "2"}));
}

}  // namespace
}  // namespace cardd
