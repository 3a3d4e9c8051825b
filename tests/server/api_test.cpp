// The HTTP API as integrators meet it: the cardd daemon started on a test's
// own database and keystore, answering on 127.0.0.1 (plain, or TLS with a
// certificate made in the test): every route's answers, tokens and roles,
// refusals audited, limits, the OpenAPI document. Applications come in
// through the API or are taken through the line's states in the database
// (the line's readers are nowhere here); the daemon's own fulfilment ships
// and dispatches them.
#include "cardd/server/api_server.h"

#include <gtest/gtest.h>

#include "bureau_photo.h"
#include "bureau_pki.h"
#include "child_process.h"
#include "daemon_api_fixture.h"

namespace cardd::server {
namespace {

using ApiTest = DaemonApiTest;

// Readiness names what a card would need and is missing: here the line's
// readers and its printer; a center without lines is ready.
TEST_F(ApiTest, HealthAndReadinessNeedNoToken) {
  {
    Client c(port());
    auto health = c.send(http::verb::get, "/healthz");
    EXPECT_EQ(health.status, 200u);
    EXPECT_EQ(health.body["status"], "ok");
    auto ready = c.send(http::verb::get, "/readyz");
    EXPECT_EQ(ready.status, 503u) << ready.raw;
    EXPECT_EQ(ready.body["ready"], false);
    EXPECT_EQ(ready.body["checks"]["database"], "ok");
    EXPECT_EQ(ready.body["checks"]["hsm"], "ok");
    EXPECT_EQ(ready.body["checks"]["bureau"], "ok");
    EXPECT_EQ(ready.body["checks"]["readers"], "0 of 2");
    EXPECT_TRUE(ready.body["checks"]["printers"]["line-1"].get<std::string>() != "ok") << ready.raw;
    EXPECT_TRUE(ready.keep_alive) << "one connection served both";
  }
  start("", false);
  Client c(port());
  auto ready = c.send(http::verb::get, "/readyz");
  EXPECT_EQ(ready.status, 200u) << ready.raw;
  EXPECT_EQ(ready.body["ready"], true);
}

TEST_F(ApiTest, AnApplicationIsShownToTheBureauAndOperatorsOnly) {
  const std::string id = one_application();
  ASSERT_FALSE(id.empty());
  Client c(port());
  const std::string path = "/api/v1/applications/" + id;

  auto shown = c.send(http::verb::get, path, token("bureau"));
  ASSERT_EQ(shown.status, 200u) << shown.raw;
  EXPECT_EQ(shown.body["application_id"], id);
  EXPECT_EQ(shown.body["state"], "VALIDATED");
  EXPECT_EQ(shown.body["history"].size(), 2u) << "RECEIVED, then VALIDATED";
  EXPECT_EQ(c.send(http::verb::get, path, token("operator")).status, 200u);
  EXPECT_EQ(c.send(http::verb::get, path, token("admin")).status, 200u) << "admin may do all";

  const std::int64_t before = refusals();
  auto anonymous = c.send(http::verb::get, path);
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(anonymous.body["error"]["code"], "auth.missing");
  auto wrong = c.send(http::verb::get, path, "cardd_not-a-token");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(wrong.body["error"]["code"], "auth.invalid");
  auto courier = c.send(http::verb::get, path, token("courier"));
  EXPECT_EQ(courier.status, 403u);
  EXPECT_EQ(courier.body["error"]["code"], "auth.forbidden");
  EXPECT_EQ(refusals(), before + 3) << "every refusal is audited";

  auto unknown = c.send(http::verb::get, "/api/v1/applications/NO-SUCH-ONE", token("operator"));
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.body["error"]["code"], "db.not_found");
  EXPECT_FALSE(unknown.body["error"]["message"].get<std::string>().empty());
}

TEST_F(ApiTest, RevokedAndExpiredTokensAreRefused) {
  auto made = create_api_token(*store_, "operator", "", "", "", "tester");
  ASSERT_TRUE(made.ok());
  Client c(port());
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/lines", made->token).status, 200u);
  ASSERT_TRUE(store_->revoke_token(made->id, "tester").ok());
  // Within the token cache's second.
  EXPECT_EQ(
      test::status_after_change(c, "/api/v1/lines", made->token, 200u, std::chrono::seconds(3)),
      401u);
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/lines", token("operator", "", "2020-01-01T00:00:00Z"))
                .status,
            401u);
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/lines", token("operator", "", "2999-01-01T00:00:00Z"))
                .status,
            200u);
  // Only the hash is stored.
  EXPECT_EQ(store_->token_by_hash(made->token)->has_value(), false);
  EXPECT_EQ(store_->token_by_hash(api_token_hash(made->token))->has_value(), true);
  EXPECT_FALSE(create_api_token(*store_, "root", "", "", "", "tester").ok());
  EXPECT_FALSE(create_api_token(*store_, "branch", "", "", "", "tester").ok());
  EXPECT_FALSE(create_api_token(*store_, "operator", "0101", "", "", "tester").ok());
}

TEST_F(ApiTest, LinesArePausedAndResumedThroughTheDatabase) {
  Client c(port());
  const std::string op = token("operator");
  auto paused =
      c.send(http::verb::post, "/api/v1/lines/line-1/slots/api-test%20slot%20B/pause", op);
  ASSERT_EQ(paused.status, 200u) << paused.raw;
  EXPECT_EQ(paused.body["slot"], kSlotB);
  auto lines = c.send(http::verb::get, "/api/v1/lines", op);
  ASSERT_EQ(lines.status, 200u);
  ASSERT_EQ(lines.body["lines"].size(), 1u);
  EXPECT_EQ(lines.body["lines"][0]["paused"], false);
  EXPECT_EQ(lines.body["lines"][0]["slots"][0]["paused"], false);
  EXPECT_EQ(lines.body["lines"][0]["slots"][1]["paused"], true);
  auto controls = store_->line_controls();
  ASSERT_TRUE(controls.ok());
  EXPECT_TRUE(db::paused(*controls, "line-1", kSlotB));
  EXPECT_EQ(c.send(http::verb::post, "/api/v1/lines/line-1/resume", op).status, 200u);
  EXPECT_FALSE(db::paused(*store_->line_controls(), "line-1", kSlotB));

  auto unknown = c.send(http::verb::post, "/api/v1/lines/line-9/pause", op);
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.body["error"]["code"], "lines.unknown");
  EXPECT_EQ(c.send(http::verb::post, "/api/v1/lines/line-1/slots/nope/pause", op).status, 404u);
  EXPECT_EQ(c.send(http::verb::post, "/api/v1/lines/line-1/pause", token("branch", "0101")).status,
            403u);
}

TEST_F(ApiTest, BadRequestsGetAClearErrorAndTheServerGoesOn) {
  {
    Client c(port());
    auto method = c.send(http::verb::delete_, "/api/v1/lines", token("operator"));
    EXPECT_EQ(method.status, 405u);
    EXPECT_EQ(method.body["error"]["code"], "request.method_not_allowed");
    auto route = c.send(http::verb::get, "/api/v2/nothing");
    EXPECT_EQ(route.status, 404u);
    EXPECT_EQ(route.body["error"]["code"], "request.unknown_route");
  }
  {
    Client c(port());
    // Refused from its Content-Length, before the body is read.
    auto big = c.send_raw(
        "POST /api/v1/lines/line-1/pause HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer " +
        token("operator") + "\r\nContent-Length: 2097152\r\n\r\n{");
    EXPECT_EQ(big.status, 413u);
    EXPECT_EQ(big.body["error"]["code"], "request.too_large");
  }
  {
    Client c(port());
    auto header = c.send_raw(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32 * 1024, 'y') + "\r\n\r\n");
    EXPECT_EQ(header.status, 431u);
  }
  {
    Client c(port());
    auto garbage = c.send_raw("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(garbage.status, 400u);
    EXPECT_EQ(garbage.body["error"]["code"], "request.malformed");
  }
  Client after(port());
  EXPECT_EQ(after.send(http::verb::get, "/healthz").status, 200u);
}

// The daemon's OpenAPI document names exactly the router's routes, and the
// daemon answers every one of them (see every_route_answers).
TEST_F(ApiTest, TheOpenApiDocumentNamesExactlyTheRoutesServed) {
  Client c(port());
  const auto documented = every_route_answers(c);
  ApiContext context;
  context.store = store_.get();
  context.line_configs = {{"line-1", {kSlotA, kSlotB}, "ipp://127.0.0.1:1/ipp/print"}};
  ApiConfig config;
  config.listen = "127.0.0.1:0";
  auto in_process = ApiServer::open(config, context);
  ASSERT_TRUE(in_process.ok()) << in_process.error().describe();
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& r : (*in_process)->routes()) served.insert(r);
  EXPECT_EQ(documented, served);
  EXPECT_GE(served.size(), 20u);
}

// HTTPS with a certificate made in the test: every route over TLS as over
// plain HTTP; an application shown; a client that does not trust the CA is
// refused at the handshake; a certificate without its key, or with another
// key, stops the start naming the setting.
TEST_F(ApiTest, ServesHttpsWithTheConfiguredCertificate) {
  const test::BureauPki pki;
  const std::string tls = "tls_certificate_file = \"" + pki.server().cert +
                          "\"\ntls_key_file = \"" + pki.server().key + "\"\n";
  trusted_ca_ = pki.ca();
  start(tls);
  EXPECT_NE(daemon_.log().find("(https)"), std::string::npos) << daemon_.log();
  Client c(port(), pki.ca());
  EXPECT_EQ(c.send(http::verb::get, "/healthz").status, 200u);
  EXPECT_GE(every_route_answers(c).size(), 20u);
  const std::string id = one_application();
  auto shown = c.send(http::verb::get, "/api/v1/applications/" + id, token("bureau"));
  EXPECT_EQ(shown.status, 200u) << shown.raw;
  EXPECT_EQ(shown.body["state"], "VALIDATED");
  EXPECT_THROW(Client(port(), pki.wrong_ca()), boost::system::system_error)
      << "a client that does not trust the CA gets no answer";
  EXPECT_THROW(Client(port()).send(http::verb::get, "/healthz"), boost::system::system_error)
      << "plain HTTP on the TLS port gets no answer";

  const auto refused = [this](const std::string& api) {
    auto cardd = test::CarddProcess::start(write_config(api));
    EXPECT_EQ(cardd.port(), 0) << "started with a broken certificate setting";
    EXPECT_NE(cardd.stop(), 0);
    return cardd.log();
  };
  EXPECT_NE(refused("tls_certificate_file = \"" + pki.server().cert + "\"").find("tls_key_file"),
            std::string::npos);
  EXPECT_NE(refused("tls_certificate_file = \"" + pki.server().cert + "\"\ntls_key_file = \"" +
                    pki.client().key + "\"")
                .find("api"),
            std::string::npos);
}

TEST_F(ApiTest, StockLotsAreAddedAndListed) {
  Client c(port());
  const std::string op = token("operator");
  auto added = c.send(http::verb::post, "/api/v1/stock/lots", op,
                      R"({"lot":"L-API-1","first_serial":"a0000001","count":50})");
  ASSERT_EQ(added.status, 201u) << added.raw;
  EXPECT_EQ(added.body["first_serial"], "A0000001");
  auto stock = c.send(http::verb::get, "/api/v1/stock", op);
  ASSERT_EQ(stock.status, 200u);
  ASSERT_EQ(stock.body["lots"].size(), 1u);
  EXPECT_EQ(stock.body["lots"][0]["lot"], "L-API-1");
  EXPECT_EQ(stock.body["lots"][0]["left"], 50);

  auto overlap = c.send(http::verb::post, "/api/v1/stock/lots", op,
                        R"({"lot":"L-API-2","first_serial":"A0000010","count":5})");
  EXPECT_EQ(overlap.status, 409u) << overlap.raw;
  auto invalid = c.send(http::verb::post, "/api/v1/stock/lots", op,
                        R"({"lot":"L-API-3","first_serial":"XYZ","count":5})");
  EXPECT_EQ(invalid.status, 422u);
  EXPECT_EQ(invalid.body["error"]["code"], "request.invalid");
  auto not_json = c.send(http::verb::post, "/api/v1/stock/lots", op, "{lot:");
  EXPECT_EQ(not_json.status, 400u);
  EXPECT_EQ(not_json.body["error"]["code"], "request.bad_json");
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/stock", token("bureau")).status, 403u);
}

TEST_F(ApiTest, StatusChangesAndApplicationListsArePagedByCursor) {
  std::vector<std::string> ids;
  for (std::uint64_t i = 0; i < 3; ++i) {
    ids.push_back(one_application(30 + i, "PG", i));
    ASSERT_FALSE(ids.back().empty());
  }
  Client c(port());
  const std::string bureau = token("bureau");
  // Two changes each (RECEIVED, VALIDATED): six, read two at a time.
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 4; ++page) {
    auto changes = c.send(http::verb::get, "/api/v1/status-changes?limit=2&after=" + after, bureau);
    ASSERT_EQ(changes.status, 200u) << changes.raw;
    for (const auto& change : changes.body["changes"])
      seen.push_back(change["application_id"].get<std::string>() + ":" +
                     change["state"].get<std::string>());
    after = changes.body["next"].get<std::string>();
  }
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[0], ids[0] + ":RECEIVED");
  EXPECT_EQ(seen[1], ids[0] + ":VALIDATED");
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/status-changes?after=x", bureau).status, 400u);
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/status-changes?limit=0", bureau).status, 400u);

  const std::string op = token("operator");
  std::set<std::string> listed;
  std::string cursor;
  for (int page = 0; page < 3; ++page) {
    auto list = c.send(http::verb::get,
                       "/api/v1/applications?state=VALIDATED&limit=2&cursor=" + cursor, op);
    ASSERT_EQ(list.status, 200u) << list.raw;
    for (const auto& a : list.body["applications"]) {
      EXPECT_EQ(a["state"], "VALIDATED");
      listed.insert(a["application_id"].get<std::string>());
    }
    if (list.body["next"].is_null()) break;
    cursor = list.body["next"].get<std::string>();
  }
  EXPECT_EQ(listed, std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/applications?state=NONSENSE", op).status, 400u);
}

// A mailed card's shipment, by the tracking number the courier scans; the
// history carries no personal data.
// The pages' own routes: who a token is, the center at a glance, an
// application found by what an operator knows of it, its card face.
TEST_F(ApiTest, TheSummarySearchAndCardFaceShowWhatTheStoreHolds) {
  db::NewApplication a = db::test::sample("SUM-1");
  a.personal.photo = test::bureau_photo();
  a.personal.id_number = "110105195001011234";
  produced(a);
  produced(db::test::sample("SUM-2"));  // ID number 11010519491231002X
  ASSERT_TRUE(reaches("SUM-1", db::AppState::shipped)) << daemon_.log();
  ASSERT_TRUE(reaches("SUM-2", db::AppState::shipped)) << daemon_.log();
  Client c(port());
  const std::string op = token("operator");

  auto me = c.send(http::verb::get, "/api/v1/me", token("branch", "0101"));
  ASSERT_EQ(me.status, 200u) << me.raw;
  EXPECT_EQ(me.body["role"], "branch");
  EXPECT_EQ(me.body["branch"], "0101");

  auto summary = c.send(http::verb::get, "/api/v1/summary", op);
  ASSERT_EQ(summary.status, 200u) << summary.raw;
  const auto counts = store_->count_by_state();
  ASSERT_TRUE(counts.ok());
  const auto& states = summary.body["applications"];
  ASSERT_EQ(states.size(), static_cast<std::size_t>(db::AppState::collected) + 1);
  EXPECT_EQ(states[0]["state"], "RECEIVED") << "in the order of the life cycle";
  for (const auto& s : states) {
    const auto state = db::state_from_string(s["state"].get<std::string>());
    ASSERT_TRUE(state.has_value()) << s;
    const auto it = counts->find(*state);
    EXPECT_EQ(s["count"], it == counts->end() ? 0 : it->second) << s;
  }
  EXPECT_EQ(summary.body["issued"], 2);
  const auto& hours = summary.body["cards_per_hour"];
  ASSERT_EQ(hours.size(), 24u);
  EXPECT_EQ(hours[23]["cards"], 2) << "both cards passed QC this hour";
  EXPECT_EQ(hours[23]["hour"].get<std::string>().substr(0, 13),
            format_rfc3339_utc(unix_now()).substr(0, 13));
  EXPECT_EQ(summary.body["outbox_backlog"], *store_->outbox_backlog());
  EXPECT_EQ(summary.body["bureau"], "ok");

  const auto found = [&](const std::string& q) {
    auto answer = c.send(http::verb::get, "/api/v1/applications?q=" + q, op);
    EXPECT_EQ(answer.status, 200u) << answer.raw;
    std::vector<std::string> ids;
    for (const auto& item : answer.body["applications"]) ids.push_back(item["application_id"]);
    return ids;
  };
  const std::vector<std::string> sum1 = {"SUM-1"};
  const std::int64_t reads = audited("personal.read");
  EXPECT_EQ(found("SUM-1"), sum1);
  EXPECT_EQ(found(store_->status("SUM-1")->card_number), sum1) << "by card number";
  EXPECT_EQ(found("1234"), sum1) << "by the ID number's last four";
  EXPECT_EQ(found("01011234"), sum1);
  EXPECT_TRUE(found("91011234").empty()) << "more digits than four must all match";
  EXPECT_TRUE(found("NOBODY").empty());
  const std::vector<std::string> sum2 = {"SUM-2"};
  EXPECT_EQ(found("1231002x"), sum2) << "the check character in either case";
  EXPECT_GT(audited("personal.read"), reads) << "names shown to an operator are audited reads";
  auto shown = c.send(http::verb::get, "/api/v1/applications?q=1234", op);
  EXPECT_EQ(shown.body["applications"][0]["id_number"], "110105********1234");

  auto front = c.send(http::verb::get, "/api/v1/applications/SUM-1/face.png", op);
  ASSERT_EQ(front.status, 200u) << front.raw.substr(0, 200);
  EXPECT_EQ(front.headers["content-type"], "image/png");
  EXPECT_EQ(front.raw.substr(0, 8), "\x89PNG\r\n\x1a\n");
  auto back = c.send(http::verb::get, "/api/v1/applications/SUM-1/face.png?side=back", op);
  ASSERT_EQ(back.status, 200u) << back.raw.substr(0, 200);
  EXPECT_EQ(back.raw.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_NE(back.raw, front.raw);
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/applications/SUM-1/face.png?side=left", op).status,
            400u);
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/applications/NOPE/face.png", op).status, 404u);
}

// The pages: read from their folder at start and served from memory, with a
// policy that lets them load only their own files; nothing else is reachable.
TEST_F(ApiTest, PagesAreServedFromTheirFolderAndNothingElseIs) {
  Client c(port());
  auto root = c.send(http::verb::get, "/");
  EXPECT_EQ(root.status, 302u);
  EXPECT_EQ(root.headers["location"], "/ui/");
  auto index = c.send(http::verb::get, "/ui/");
  ASSERT_EQ(index.status, 200u);
  EXPECT_EQ(index.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(index.raw.find("js/main.js"), std::string::npos);
  EXPECT_NE(index.headers["content-security-policy"].find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(index.headers["x-content-type-options"], "nosniff");
  auto script = c.send(http::verb::get, "/ui/js/api.js");
  ASSERT_EQ(script.status, 200u);
  EXPECT_EQ(script.headers["content-type"], "text/javascript; charset=utf-8");
  std::ifstream file(std::string(CARDD_SOURCE_DIR) + "/web/js/api.js", std::ios::binary);
  EXPECT_EQ(script.raw, std::string(std::istreambuf_iterator<char>(file), {}));
  for (const char* bad : {"/ui/../cardd.db", "/ui/%2e%2e/README.md", "/ui/js/../../README.md",
                          "/ui/nope.html", "/ui/js/"})
    EXPECT_EQ(c.send(http::verb::get, bad).status, 404u) << bad;
  EXPECT_EQ(c.send(http::verb::post, "/ui/").body["error"]["code"], "request.unknown_route");

  const auto other = dir_.path() / "pages";
  std::filesystem::create_directories(other);
  std::ofstream(other / "index.html") << "<p>another center's pages</p>";
  start("web_root = \"" + other.string() + "\"");
  EXPECT_EQ(Client(port()).send(http::verb::get, "/ui/").raw, "<p>another center's pages</p>");
  auto missing = test::CarddProcess::start(write_config("web_root = \"/no/such/folder\""));
  EXPECT_EQ(missing.port(), 0);
  EXPECT_NE(missing.log().find("api.web_root /no/such/folder: not a folder"), std::string::npos)
      << missing.log();
}

// Retention: a delivered card's images go at the daemon's run (at start,
// then every interval), and `cardctl purge` says which would go, by hand.
TEST_F(ApiTest, ADeliveredCardsImagesAreDeletedAndTheDeletionAudited) {
  const std::string tracking = shipped("RET-1");
  ASSERT_FALSE(tracking.empty());
  Client c(port());
  auto delivered = c.send(http::verb::post, "/api/v1/shipments/" + tracking + "/events",
                          token("courier"), R"({"event_id":"ret-1","event":"delivered"})");
  ASSERT_EQ(delivered.status, 201u) << delivered.raw;
  const auto purge = [this](std::vector<std::string> args) {
    args.insert(args.begin(), {CARDD_BIN_DIR "/cardctl", "purge", "--db", db_path(), "--keystore",
                               (dir_.path() / "keys.cks").string(), "--passphrase-file",
                               (dir_.path() / "keystore-passphrase").string()});
    return test::run_command(args);
  };
  auto dry = purge({"--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would delete the images of 1 card delivered or collected 0 days ago"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("  RET-1\n"), std::string::npos) << dry.out;
  auto not_yet = purge({"--days", "1"});
  EXPECT_EQ(not_yet.exit_code, 0) << not_yet.err;
  EXPECT_NE(not_yet.out.find("deleted the images of 0 cards"), std::string::npos) << not_yet.out;
  EXPECT_FALSE(store_->sensitive("RET-1", "tester", "check")->photo.empty());
  EXPECT_EQ(audited("retention.purged"), 0);

  more_config_ = "[retention]\nimage_days = 0\ninterval_ms = 1000";
  start("");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (audited("retention.purged") < 1 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(audited("retention.purged"), 1) << daemon_.log();
  auto holder = store_->sensitive("RET-1", "tester", "check");
  ASSERT_TRUE(holder.ok()) << holder.error().describe();
  EXPECT_TRUE(holder->photo.empty());
  EXPECT_TRUE(holder->id_front.empty());
  EXPECT_EQ(store_->status("RET-1")->state, db::AppState::delivered);
  EXPECT_NE(daemon_.log().find("retention: photo and ID-card images of 1 delivered or collected"),
            std::string::npos);
}

TEST_F(ApiTest, AShipmentIsFoundByItsTrackingNumber) {
  const std::string tracking = shipped("SHIP-1");
  ASSERT_FALSE(tracking.empty());

  Client c(port());
  auto found = c.send(http::verb::get, "/api/v1/shipments/" + tracking, token("courier"));
  ASSERT_EQ(found.status, 200u) << found.raw;
  EXPECT_EQ(found.body["application_id"], "SHIP-1");
  EXPECT_EQ(found.body["state"], "SHIPPED");
  EXPECT_EQ(found.body["postal_area"], "1000");
  EXPECT_EQ(found.body["events"].back()["state"], "SHIPPED");
  EXPECT_EQ(found.raw.find("王"), std::string::npos) << "no personal data";
  auto unknown = c.send(http::verb::get, "/api/v1/shipments/EA000000000CN", token("operator"));
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.body["error"]["code"], "shipments.unknown");
  EXPECT_EQ(
      c.send(http::verb::get, "/api/v1/shipments/" + tracking, token("branch", "0101")).status,
      403u);
}

// The push alternative: the pull's validation, idempotency and conflicts.
TEST_F(ApiTest, PushedApplicationsAreValidatedStoredOnceAndConflictsKeptOut) {
  const testdata::Generator gen(cardd::test::generator_options(41, 0.0, false, "PU"));
  const testdata::Generator bad(cardd::test::generator_options(42, 1.0, false, "PB"));
  auto good = nlohmann::json::parse(gen.make(0).json);
  const auto invalid = nlohmann::json::parse(bad.make(0).json);
  const nlohmann::json batch = {{"applications", {good, invalid}}};
  Client c(port());
  const std::string bureau = token("bureau");

  auto first = c.send(http::verb::post, "/api/v1/applications", bureau, batch.dump());
  ASSERT_EQ(first.status, 200u) << first.raw;
  ASSERT_EQ(first.body["outcomes"].size(), 2u);
  EXPECT_EQ(first.body["outcomes"][0]["outcome"], "validated");
  EXPECT_EQ(first.body["outcomes"][1]["outcome"], "rejected");
  EXPECT_FALSE(first.body["outcomes"][1]["errors"].empty());
  const std::string id = first.body["outcomes"][0]["application_id"];
  EXPECT_EQ(store_->status(id)->state, db::AppState::validated);

  auto again = c.send(http::verb::post, "/api/v1/applications", bureau, batch.dump());
  ASSERT_EQ(again.status, 200u);
  EXPECT_EQ(again.body["outcomes"][0]["outcome"], "duplicate");
  good["name"] = good["name"].get<std::string>() + "变";
  auto changed = c.send(http::verb::post, "/api/v1/applications", bureau,
                        nlohmann::json{{"applications", {good}}}.dump());
  ASSERT_EQ(changed.status, 200u);
  EXPECT_EQ(changed.body["outcomes"][0]["outcome"], "conflict");

  EXPECT_EQ(c.send(http::verb::post, "/api/v1/applications", bureau, "[1,2]").status, 400u);
  EXPECT_EQ(
      c.send(http::verb::post, "/api/v1/applications", bureau, R"({"applications":[]})").status,
      422u);
  EXPECT_EQ(
      c.send(http::verb::post, "/api/v1/applications", token("operator"), batch.dump()).status,
      403u);
}

TEST_F(ApiTest, CourierEventsAreKeptOnceAndEndTheJourney) {
  const std::string tracking = shipped("SHIP-2");
  ASSERT_FALSE(tracking.empty());
  Client c(port());
  const std::string courier = token("courier");
  const std::string path = "/api/v1/shipments/" + tracking + "/events";
  const auto event = [](const std::string& id, const std::string& kind) {
    return nlohmann::json{{"event_id", id},
                          {"event", kind},
                          {"occurred_at", "2026-12-01T09:30:00+08:00"},
                          {"detail", "Chaoyang office"}}
        .dump();
  };

  auto moving = c.send(http::verb::post, path, courier, event("ems-1", "in_transit"));
  ASSERT_EQ(moving.status, 201u) << moving.raw;
  EXPECT_EQ(moving.body["duplicate"], false);
  auto delivered = c.send(http::verb::post, path, courier, event("ems-2", "delivered"));
  ASSERT_EQ(delivered.status, 201u) << delivered.raw;
  auto again = c.send(http::verb::post, path, courier, event("ems-2", "delivered"));
  EXPECT_EQ(again.status, 200u) << "sent twice, kept once";
  EXPECT_EQ(again.body["duplicate"], true);
  auto reused = c.send(http::verb::post, path, courier, event("ems-2", "returned"));
  EXPECT_EQ(reused.status, 409u);
  EXPECT_EQ(reused.body["error"]["code"], "db.conflict");
  auto late = c.send(http::verb::post, path, courier, event("ems-3", "returned"));
  EXPECT_EQ(late.status, 409u) << "a delivered card is not returned";
  EXPECT_EQ(late.body["error"]["code"], "db.illegal_transition");

  auto shown = c.send(http::verb::get, "/api/v1/shipments/" + tracking, courier);
  ASSERT_EQ(shown.status, 200u);
  EXPECT_EQ(shown.body["state"], "DELIVERED");
  ASSERT_EQ(shown.body["courier_events"].size(), 2u);
  EXPECT_EQ(shown.body["courier_events"][0]["event"], "in_transit");
  EXPECT_EQ(shown.body["courier_events"][1]["event_id"], "ems-2");
  auto view = c.send(http::verb::get, "/api/v1/applications/SHIP-2", token("bureau"));
  ASSERT_EQ(view.status, 200u);
  EXPECT_EQ(view.body["shipment"]["tracking_number"], tracking);
  EXPECT_EQ(view.body["card_number"], "*****0001") << "the card number, masked";

  auto unknown = c.send(http::verb::post, "/api/v1/shipments/EA000000000CN/events", courier,
                        event("ems-4", "delivered"));
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.body["error"]["code"], "fulfilment.unknown_tracking_number");
  EXPECT_EQ(c.send(http::verb::post, path, courier, "{not json").status, 400u);
  auto kind = c.send(http::verb::post, path, courier, event("ems-5", "lost"));
  EXPECT_EQ(kind.status, 422u);
  EXPECT_EQ(kind.body["error"]["code"], "request.invalid");
  EXPECT_EQ(c.send(http::verb::post, path, courier, event("", "delivered")).status, 422u);
  EXPECT_EQ(c.send(http::verb::post, path, courier,
                   R"({"event_id":"ems-6","event":"in_transit","occurred_at":"yesterday"})")
                .status,
            422u);
  EXPECT_EQ(c.send(http::verb::post, path, token("operator"), event("ems-7", "in_transit")).status,
            403u);
  EXPECT_EQ(c.send(http::verb::post, path, "", event("ems-7", "in_transit")).status, 401u);
}

TEST_F(ApiTest, BranchesReceiveFindAndHandOverOnlyTheirOwnCards) {
  produced(at_branch("BR-1", "0101", "王小明", "11010519491231002X"));
  produced(at_branch("BR-2", "0101", "李四", "110105195001011234"));
  produced(at_branch("BR-3", "0202", "张三", "110105195202025678"));
  for (const char* id : {"BR-1", "BR-2", "BR-3"})
    ASSERT_TRUE(reaches(id, db::AppState::dispatched)) << id << daemon_.log();

  Client c(port());
  const std::string branch = token("branch", "0101");
  const std::string receipts = "/api/v1/branches/0101/receipts";
  auto received = c.send(http::verb::post, receipts, branch,
                         R"({"applications":["BR-1","BR-2","BR-3","NOPE"],"clerk":"clerk 7"})");
  ASSERT_EQ(received.status, 200u) << received.raw;
  const auto& outcomes = received.body["outcomes"];
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0]["outcome"], "received");
  EXPECT_EQ(outcomes[1]["outcome"], "received");
  EXPECT_EQ(outcomes[2]["outcome"], "unknown") << "another branch's card is not this branch's";
  EXPECT_EQ(outcomes[3]["outcome"], "unknown");
  EXPECT_EQ(store_->status("BR-3")->state, db::AppState::dispatched);
  auto twice =
      c.send(http::verb::post, receipts, branch, R"({"applications":["BR-1"],"clerk":"clerk 7"})");
  EXPECT_EQ(twice.body["outcomes"][0]["outcome"], "already_received");
  EXPECT_EQ(c.send(http::verb::post, receipts, branch, R"({"applications":[],"clerk":"c"})").status,
            422u);
  EXPECT_EQ(c.send(http::verb::post, receipts, branch, R"({"applications":"BR-1"})").status, 400u);

  const std::string pickups = "/api/v1/branches/0101/pickups";
  auto all = c.send(http::verb::get, pickups, branch);
  ASSERT_EQ(all.status, 200u) << all.raw;
  ASSERT_EQ(all.body["cards"].size(), 2u);
  EXPECT_FALSE(all.body["cards"][0].contains("name")) << "the bare list opens nobody's data";
  auto tail = c.send(http::verb::get, pickups + "?q=1234", branch);
  ASSERT_EQ(tail.status, 200u);
  ASSERT_EQ(tail.body["cards"].size(), 1u);
  EXPECT_EQ(tail.body["cards"][0]["application_id"], "BR-2");
  EXPECT_EQ(tail.body["cards"][0]["name"], "李四");
  EXPECT_EQ(tail.body["cards"][0]["id_number"], "110105********1234");
  auto longer = c.send(http::verb::get, pickups + "?q=01011234", branch);
  EXPECT_EQ(longer.body["cards"].size(), 1u);
  EXPECT_EQ(c.send(http::verb::get, pickups + "?q=91011234", branch).body["cards"].size(), 0u)
      << "more digits than four must all match";
  auto check_x = c.send(http::verb::get, pickups + "?q=002x", branch);
  ASSERT_EQ(check_x.body["cards"].size(), 1u);
  EXPECT_EQ(check_x.body["cards"][0]["application_id"], "BR-1");
  auto name = c.send(http::verb::get, pickups + "?q=%E7%8E%8B%E5%B0%8F%E6%98%8E", branch);
  ASSERT_EQ(name.body["cards"].size(), 1u);
  EXPECT_EQ(name.body["cards"][0]["application_id"], "BR-1");
  EXPECT_EQ(c.send(http::verb::get, pickups + "?q=5678", branch).body["cards"].size(), 0u)
      << "another branch's holder is not found here";
  EXPECT_EQ(c.send(http::verb::get, pickups + "?q=34", branch).status, 422u);
  auto paged = c.send(http::verb::get, pickups + "?limit=1", branch);
  ASSERT_EQ(paged.body["cards"].size(), 1u);
  auto rest =
      c.send(http::verb::get,
             pickups + "?limit=1&cursor=" + paged.body["next_cursor"].get<std::string>(), branch);
  ASSERT_EQ(rest.body["cards"].size(), 1u);
  EXPECT_EQ(rest.body["cards"][0]["application_id"], "BR-2");
  const std::int64_t refused_before = refusals();
  auto other = c.send(http::verb::get, "/api/v1/branches/0202/pickups", branch);
  EXPECT_EQ(other.status, 403u);
  EXPECT_EQ(other.body["error"]["code"], "auth.other_branch");

  const std::string collect = "/api/v1/pickups/BR-1/collect";
  const std::int64_t mismatches = audited("collect.refused");
  auto wrong = c.send(http::verb::post, collect, branch,
                      R"({"id_number":"110105195001011234","clerk":"clerk 7"})");
  EXPECT_EQ(wrong.status, 409u);
  EXPECT_EQ(wrong.body["error"]["code"], "fulfilment.id_mismatch");
  EXPECT_EQ(wrong.raw.find("110105195001011234"), std::string::npos) << "never echoed";
  EXPECT_EQ(audited("collect.refused"), mismatches + 1);
  EXPECT_EQ(store_->status("BR-1")->state, db::AppState::ready_for_pickup);
  auto elsewhere = c.send(http::verb::post, collect, token("branch", "0202"),
                          R"({"id_number":"11010519491231002X","clerk":"clerk 9"})");
  EXPECT_EQ(elsewhere.status, 403u);
  EXPECT_EQ(refusals(), refused_before + 2) << "another branch, twice";
  EXPECT_EQ(
      c.send(http::verb::post, collect, branch, R"({"id_number":"11010519491231002X"})").status,
      422u);
  auto handed = c.send(http::verb::post, collect, branch,
                       R"({"id_number":"11010519491231002x","clerk":"clerk 7"})");
  ASSERT_EQ(handed.status, 200u) << handed.raw;
  EXPECT_EQ(store_->status("BR-1")->state, db::AppState::collected);
  EXPECT_EQ(c.send(http::verb::post, collect, branch,
                   R"({"id_number":"11010519491231002X","clerk":"clerk 7"})")
                .status,
            409u)
      << "collected once";
  EXPECT_EQ(c.send(http::verb::post, "/api/v1/pickups/NOPE/collect", branch,
                   R"({"id_number":"11010519491231002X","clerk":"clerk 7"})")
                .status,
            404u);
}

TEST_F(ApiTest, MetricsAreServedToOperatorsInPrometheusText) {
  ASSERT_FALSE(one_application().empty());
  Client c(port());
  const std::string op = token("operator");
  ASSERT_EQ(c.send(http::verb::get, "/api/v1/lines", op).status, 200u);
  auto scraped = c.send(http::verb::get, "/metrics", op);
  ASSERT_EQ(scraped.status, 200u) << scraped.raw;
  const std::string& text = scraped.raw;
  const auto has = [&text](const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has("# TYPE cardd_applications gauge")) << text;
  EXPECT_TRUE(has(R"(cardd_applications{state="VALIDATED"} 1)")) << text;
  EXPECT_TRUE(has(R"(cardd_applications{state="COLLECTED"} 0)")) << "every state, zero included";
  EXPECT_TRUE(has("cardd_cards_issued_total 0"));
  EXPECT_TRUE(has("cardd_outbox_backlog 2")) << "RECEIVED and VALIDATED wait for the bureau";
  EXPECT_NE(text.find("cardd_http_requests_total{method=\"GET\",route=\"/api/v1/lines\","
                      "status=\"200\"} "),
            std::string::npos);
  EXPECT_NE(text.find("cardd_http_request_seconds_bucket{method=\"GET\",route=\"/api/v1/lines\","
                      "le=\"+Inf\"} "),
            std::string::npos);
  EXPECT_NE(text.find("cardd_hsm_operations_total{usage="), std::string::npos)
      << "sealing the application used the HSM";
  EXPECT_EQ(text.find("王"), std::string::npos) << "nothing personal";

  EXPECT_EQ(c.send(http::verb::get, "/metrics", token("courier")).status, 403u);
  EXPECT_EQ(c.send(http::verb::get, "/metrics").status, 401u);
  c.send(http::verb::get, "/no/such/path/1");
  c.send(http::verb::get, "/no/such/path/2");
  const std::string after = c.send(http::verb::get, "/metrics", op).raw;
  EXPECT_EQ(after.find("/no/such/path"), std::string::npos) << "unknown paths make no series";
  EXPECT_NE(after.find(R"(route="unmatched",status="404"})"), std::string::npos);
}

TEST_F(ApiTest, ATokenOverItsRateGets429AndOthersGoOn) {
  start("requests_per_second = 3");
  Client c(port());
  const std::string busy = token("operator"), other = token("operator");
  unsigned ok = 0, refused = 0;
  for (int i = 0; i < 10; ++i) {
    auto a = c.send(http::verb::get, "/api/v1/stock", busy);
    if (a.status == 200u) ++ok;
    if (a.status == 429u) {
      ++refused;
      EXPECT_EQ(a.body["error"]["code"], "request.rate_limited");
    }
  }
  EXPECT_GE(ok, 3u) << "a second's worth at once";
  EXPECT_LE(ok, 5u);
  EXPECT_EQ(ok + refused, 10u);
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/stock", other).status, 200u)
      << "another token has its own budget";
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(c.send(http::verb::get, "/api/v1/stock", busy).status, 200u) << "and it refills";
  EXPECT_EQ(c.send(http::verb::get, "/healthz").status, 200u) << "no token, no limit";
}

}  // namespace
}  // namespace cardd::server
