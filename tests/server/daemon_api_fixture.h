// The cardd daemon started on a test's own database and keystore, answering
// on 127.0.0.1, with what API tests need around it: tokens, applications
// pushed by the bureau or taken through the line's states in the database
// (the line's readers are nowhere here), waits on the daemon's own
// fulfilment, the audit log read beside the store.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "../db/store_fixture.h"
#include "bureau_sim_process.h"
#include "cardd/server/api_tokens.h"
#include "cardd/testdata/generator.h"
#include "cardd_process.h"
#include "http_test_client.h"
#include "regions.h"
#include "soft_sealer.h"
#include "test_places.h"

namespace cardd::server {

namespace http = boost::beast::http;
using test::Client;

// A line whose slots match no reader on this machine: the daemon takes no
// card of another test's, and the line can still be paused and resumed.
constexpr const char* kSlotA = "api-test slot A";
constexpr const char* kSlotB = "api-test slot B";

class DaemonApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = sealer_.open_store(db_path());
    ASSERT_NE(store_, nullptr);
    start("");
  }

  // A clean stop: exit 0 (under the sanitizers, no report either).
  void TearDown() override {
    if (daemon_.port() != 0) {
      EXPECT_EQ(daemon_.stop(), 0) << daemon_.log();
    }
  }

  std::string db_path() const { return (dir_.path() / "cardd.db").string(); }

  // The configuration of this test's center: one line (none when
  // `with_line` is false), no bureau pushes (the outbox stays as the API left
  // it), packs of one card; `api` is added to the [api] table.
  std::string config(const std::string& api, bool with_line) const {
    std::ostringstream c;
    if (!with_line) c << "lines = []\n";
    c << "[database]\nurl = \"sqlite://" << db_path() << "\"\n"
      << "[hsm]\nbackend = \"soft\"\nallow_soft_backend = true\nkeystore = \""
      << (dir_.path() / "keys.cks").string() << "\"\npassphrase_file = \""
      << (dir_.path() / "keystore-passphrase").string() << "\"\n"
      << "[bureau]\nurl = \"" << bureau_.url() << "\"\npush = false\npull_interval_ms = 200\n"
      << "[api]\nlisten = \"127.0.0.1:0\"\n"
      << api << "\n[fulfilment]\npack_batch = 1\npaper_printer = \"dir://"
      << (dir_.path() / "paper").string() << "\"\n";
    c << more_config_ << "\n";
    if (with_line)
      c << "[[lines]]\nname = \"line-1\"\nslots = [\"" << kSlotA << "\", \"" << kSlotB
        << "\"]\nprinter = \"ipp://127.0.0.1:1/ipp/print\"\n";
    return c.str();
  }

  std::string write_config(const std::string& api, bool with_line = true) {
    const auto path = dir_.path() / ("cardd-" + std::to_string(++configs_) + ".toml");
    std::ofstream(path) << config(api, with_line);
    return path.string();
  }

  // (Re)starts the daemon with `api` added to its [api] table.
  void start(const std::string& api, bool with_line = true) {
    daemon_ = {};
    daemon_ = test::CarddProcess::start(write_config(api, with_line));
    ASSERT_NE(daemon_.port(), 0) << daemon_.log();
  }
  std::uint16_t port() const { return daemon_.port(); }

  std::string token(const std::string& role, const std::string& branch = {},
                    const std::string& expires = {}) {
    auto t = create_api_token(*store_, role, branch, "test", expires, "tester");
    EXPECT_TRUE(t.ok()) << t.error().describe();
    return t.ok() ? t->token : std::string();
  }

  // A valid application pushed by the bureau: its id.
  std::string one_application(std::uint64_t seed = 21, const std::string& prefix = "API",
                              std::uint64_t index = 0) {
    const testdata::Generator gen(cardd::test::generator_options(seed, 0.0, false, prefix));
    const nlohmann::json batch = {{"applications", {nlohmann::json::parse(gen.make(index).json)}}};
    Client c(port(), trusted_ca_);
    auto pushed = c.send(http::verb::post, "/api/v1/applications", token("bureau"), batch.dump());
    EXPECT_EQ(pushed.status, 200u) << pushed.raw;
    if (pushed.status != 200u) return {};
    EXPECT_EQ(pushed.body["outcomes"][0]["outcome"], "validated") << pushed.raw;
    return pushed.body["outcomes"][0]["application_id"];
  }

  // A sample application collected at `branch`, of this holder.
  static db::NewApplication at_branch(const std::string& id, const std::string& branch,
                                      const std::string& name, const std::string& id_number) {
    db::NewApplication a = db::test::sample(id);
    a.details.collection = db::CollectionMethod::branch;
    a.details.issuing_branch = branch;
    a.personal.name = name;
    a.personal.id_number = id_number;
    return a;
  }

  // A card made for `a` as its line would, up to quality control passed.
  void produced(db::NewApplication a) {
    db::IngestBatch batch;
    batch.applications = {&a, 1};
    batch.source = "api-test";
    batch.actor = "tester";
    ASSERT_TRUE(store_->ingest(batch).ok());
    const std::string& id = a.application_id;
    ASSERT_TRUE(store_->transition(id, db::AppState::queued, "line-1", "").ok());
    db::PreparedRecord card;
    card.profile = "test";
    card.card_number = "M" + std::to_string(++cards_made_ + 10000000);
    card.pan = "62100000000000" + std::to_string(1000 + cards_made_);
    card.issue_date = CivilDate{2026, 12, 1};
    card.expiry_date = CivilDate{2036, 12, 1};
    card.bank = "ICBC";
    card.name = a.personal.name;  // as preparation writes them, for the card face
    card.id_number = a.personal.id_number;
    ASSERT_TRUE(store_->save_prepared(id, card, "line-1").ok());
    for (db::AppState s : {db::AppState::encoding, db::AppState::encoded, db::AppState::printing,
                           db::AppState::printed, db::AppState::qc_passed})
      ASSERT_TRUE(store_->transition(id, s, "line-1", "").ok()) << to_string(s);
  }

  // Polls until application `id` is in `state` (the daemon's workers move it).
  bool reaches(const std::string& id, db::AppState state) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      auto s = store_->status(id);
      if (s.ok() && s->state == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // A mailed card, packed and shipped by the daemon: its tracking number,
  // as the application view shows it.
  std::string shipped(const std::string& id) { return shipped(db::test::sample(id)); }
  std::string shipped(const db::NewApplication& a) {
    const std::string id = a.application_id;
    produced(a);
    EXPECT_TRUE(reaches(id, db::AppState::shipped)) << daemon_.log();
    Client c(port(), trusted_ca_);
    auto view = c.send(http::verb::get, "/api/v1/applications/" + id, token("operator"));
    EXPECT_EQ(view.status, 200u) << view.raw;
    const auto& tracking = view.body["shipment"]["tracking_number"];
    return tracking.is_string() ? tracking.get<std::string>() : std::string();
  }

  // Every route the daemon's OpenAPI document names, called with unknown
  // ids: 401 without a token, 403 to a role the document does not list and
  // to another branch, and for the roles listed an answer of the route
  // (never 401, 403 or "unknown route"); routes without roles answer. The
  // (method, path) pairs documented.
  std::set<std::pair<std::string, std::string>> every_route_answers(Client& c) {
    auto doc = c.send(http::verb::get, "/api/v1/openapi.json");
    EXPECT_EQ(doc.status, 200u);
    const std::map<std::string, std::string> tokens = {{"bureau", token("bureau")},
                                                       {"operator", token("operator")},
                                                       {"courier", token("courier")},
                                                       {"branch", token("branch", "0202")}};
    const std::map<std::string, std::string> values = {
        {"{id}", "NO-SUCH-ONE"}, {"{application_id}", "NO-SUCH-ONE"},
        {"{code}", "0101"},      {"{tracking}", "EA000000000CN"},
        {"{name}", "line-1"},    {"{slot}", "api-test%20slot%20A"}};
    std::set<std::pair<std::string, std::string>> documented;
    for (const auto& [path, methods] : doc.body["paths"].items())
      for (const auto& [method, op] : methods.items()) {
        std::string upper = method;
        for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        documented.emplace(upper, path);
        SCOPED_TRACE(upper + " " + path);
        EXPECT_FALSE(op["summary"].get<std::string>().empty());
        std::string target = path;
        for (const auto& [name, value] : values)
          if (const auto at = target.find(name); at != std::string::npos)
            target.replace(at, name.size(), value);
        const auto verb = http::string_to_verb(upper);
        const auto anonymous = c.send(verb, target);
        if (!op.contains("x-roles")) {
          EXPECT_TRUE(anonymous.status == 200u || anonymous.status == 503u) << anonymous.raw;
          continue;
        }
        EXPECT_EQ(anonymous.status, 401u) << anonymous.raw;
        const auto& roles = op["x-roles"];
        for (const auto& [role, bearer] : tokens) {
          const bool allowed = std::find(roles.begin(), roles.end(), role) != roles.end();
          const bool other_branch = role == "branch" && path.find("{code}") != std::string::npos;
          const auto answer = c.send(verb, target, bearer);
          if (!allowed || other_branch) {
            EXPECT_EQ(answer.status, 403u) << role << ": " << answer.raw;
            continue;
          }
          EXPECT_NE(answer.status, 401u) << role << ": " << answer.raw;
          EXPECT_NE(answer.status, 403u) << role << ": " << answer.raw;
          const bool unknown_route = answer.body.contains("error") &&
                                     answer.body["error"]["code"] == "request.unknown_route";
          EXPECT_FALSE(unknown_route) << role;
        }
      }
    return documented;
  }

  // Audit entries of `action`, read beside the store like an auditor would.
  std::int64_t audited(const std::string& action) {
    sqlite3* db = nullptr;
    std::int64_t n = -1;
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM audit_log WHERE action = ?1", -1, &stmt,
                             nullptr) == SQLITE_OK &&
          sqlite3_bind_text(stmt, 1, action.c_str(), -1, SQLITE_TRANSIENT) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return n;
  }
  std::int64_t refusals() { return audited("api.refused"); }

  test::TempDir dir_;
  test::SoftSealer sealer_{dir_.path()};
  std::unique_ptr<db::Store> store_;
  test::SimProcess bureau_{{"--count", "0"}};
  test::CarddProcess daemon_;
  std::string trusted_ca_;   // the CA of the API's certificate, when it has one
  std::string more_config_;  // tables added to every configuration written after
  int configs_ = 0;
  int cards_made_ = 0;
};

}  // namespace cardd::server
