// Status back to the bureau against a real bureau-sim: every outbox message
// once, in order, with its idempotency key; a bureau that is down loses
// nothing; a message sent again is a duplicate the bureau does not count.
#include "cardd/server/status_pusher.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>

#include "../db/raw_sql.h"
#include "bureau_pki.h"
#include "bureau_sim_process.h"
#include "cardd/server/puller.h"
#include "child_process.h"
#include "http_client.h"
#include "regions.h"
#include "soft_sealer.h"
#include "test_places.h"
#include "tls_client.h"

namespace cardd::server {
namespace {

using test::SimProcess;

class PushTest : public ::testing::Test {
 protected:
  std::string db_path() const { return (dir_.path() / "cardd.db").string(); }
  std::unique_ptr<db::Store> open_store() { return sealer_.open_store(db_path()); }

  static BureauClient client(const std::string& url, int attempts = 2) {
    BureauOptions options{url, std::chrono::milliseconds(3000), attempts,
                          std::chrono::milliseconds(10), std::chrono::milliseconds(20)};
    options.allow_plain_http = true;  // about ordering and retries, not transport
    auto c = BureauClient::create(std::move(options));
    EXPECT_TRUE(c.ok()) << c.error().describe();
    return std::move(*c);
  }

  // Pulls every application `sim` serves and queues the valid ones: one or
  // two state changes each in the outbox.
  void make_changes(SimProcess& sim) {
    auto store = open_store();
    Intake intake(*store, cardd::test::validator_options());
    ASSERT_TRUE(pull_approved(client(sim.url()), intake, *store, PullOptions{}).status.ok());
    auto pending = store->pending_outbox(100000);
    for (const auto& m : *pending) {
      if (nlohmann::json::parse(m.payload)["state"] != "VALIDATED") continue;
      ASSERT_TRUE(store->transition(m.application_id, db::AppState::queued, "t", "").ok());
    }
  }

  static nlohmann::json status_log(SimProcess& sim) {
    HttpRequest r;
    r.host = "127.0.0.1";
    const std::string port = std::to_string(sim.port());
    r.port = port;
    r.target = "/v1/status-log";
    auto response = http_exchange(r);
    EXPECT_TRUE(response.ok());
    return nlohmann::json::parse(response->body);
  }

  test::TempDir dir_;
  test::SoftSealer sealer_{dir_.path()};
};

std::vector<std::string> sim_args(int count) {
  return {"--count", std::to_string(count), "--seed", "5", "--invalid-rate",
          "0.2",     "--log-level",         "warn"};
}

TEST_F(PushTest, EveryChangeReachesTheBureauOnceAndInOrder) {
  SimProcess sim(sim_args(30));
  make_changes(sim);
  auto store = open_store();
  const std::int64_t backlog = *store->outbox_backlog();
  ASSERT_GT(backlog, 30);
  const PushReport report = push_outbox(*store, client(sim.url()));
  ASSERT_TRUE(report.status.ok()) << report.status.error().describe();
  EXPECT_EQ(report.sent, backlog);
  EXPECT_EQ(report.backlog, 0);

  const auto log = status_log(sim);
  ASSERT_EQ(static_cast<std::int64_t>(log["events"].size()), backlog);
  EXPECT_EQ(log["duplicates"], 0);
  EXPECT_EQ(log["out_of_order"], 0);
  // The bureau's history of each application is cardd's, in order.
  std::map<std::string, std::vector<std::string>> theirs;
  for (const auto& e : log["events"])
    theirs[e["application_id"].get<std::string>()].push_back(e["state"].get<std::string>());
  for (const auto& [id, states] : theirs) {
    const auto history = store->status(id)->history;
    ASSERT_EQ(states.size(), history.size()) << id;
    for (std::size_t i = 0; i < states.size(); ++i)
      EXPECT_EQ(states[i], db::to_string(history[i].to)) << id;
  }
  EXPECT_EQ(push_outbox(*store, client(sim.url())).sent, 0) << "nothing sent twice";
}

TEST_F(PushTest, ABureauThatIsDownLosesNothingAndDuplicatesAreNotCounted) {
  std::int64_t backlog = 0;
  {
    SimProcess source(sim_args(10));
    make_changes(source);
    backlog = *open_store()->outbox_backlog();
  }
  auto store = open_store();
  // Nobody listens on the old port now.
  {
    SimProcess gone(sim_args(1));
    const std::string url = gone.url();
    gone.child().terminate();
    gone.child().wait();
    const PushReport down = push_outbox(*store, client(url));
    EXPECT_FALSE(down.status.ok());
    EXPECT_EQ(down.sent, 0);
    EXPECT_EQ(down.backlog, backlog);
  }
  // Half the requests fail: retried, in order, nothing lost.
  SimProcess flaky({"--count", "1", "--fail-rate", "0.5", "--seed", "9", "--log-level", "warn"});
  std::int64_t sent = 0;
  for (int round = 0; round < 50 && sent < backlog; ++round)
    sent += push_outbox(*store, client(flaky.url(), 3)).sent;
  EXPECT_EQ(sent, backlog);
  auto log = status_log(flaky);
  EXPECT_EQ(static_cast<std::int64_t>(log["events"].size()), backlog);
  EXPECT_EQ(log["out_of_order"], 0);
  const auto duplicates_before = log["duplicates"].get<std::int64_t>();

  // The marks of two messages lost (a crash after the bureau answered): they
  // go again, and the bureau counts them once.
  store.reset();
  db::test::exec(db_path(),
                 "UPDATE outbox SET sent_at = NULL WHERE seq IN "
                 "(SELECT seq FROM outbox ORDER BY seq LIMIT 2)");
  store = open_store();
  std::int64_t again = 0;
  for (int round = 0; round < 20 && again < 2; ++round)
    again += push_outbox(*store, client(flaky.url(), 3)).sent;
  EXPECT_EQ(again, 2);
  log = status_log(flaky);
  EXPECT_EQ(static_cast<std::int64_t>(log["events"].size()), backlog);
  EXPECT_EQ(log["duplicates"].get<std::int64_t>(), duplicates_before + 2);
}

// Keep-alive: a batch over one TLS connection instead of one per message.
// The times are printed (the measurement in docs/decisions.md), not asserted.
TEST_F(PushTest, ABatchOfMessagesGoesOverOneKeptConnection) {
  {
    SimProcess source(sim_args(40));
    make_changes(source);
  }
  auto store = open_store();
  const auto pending = *store->pending_outbox(100000);
  ASSERT_GT(pending.size(), 40u);
  test::BureauPki pki;
  std::vector<std::string> args{"--count", "1", "--log-level", "warn"};
  for (const auto& a : pki.sim_tls_args(pki.server())) args.push_back(a);
  const auto tls_client = [&](const std::string& url) {
    BureauOptions options{url, std::chrono::milliseconds(5000), 1};
    options.ca_file = pki.ca();
    options.certificate_file = pki.client().cert;
    options.key_file = pki.client().key;
    auto c = BureauClient::create(std::move(options));
    EXPECT_TRUE(c.ok()) << c.error().describe();
    return std::move(*c);
  };
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };

  SimProcess one_each(args);
  const BureauClient each = tls_client(one_each.url());
  auto start = Clock::now();
  for (const auto& m : pending) ASSERT_TRUE(each.post_status(m.payload, m.event_id).ok());
  const auto per_message = Clock::now() - start;

  SimProcess kept(args);
  const BureauClient batch = tls_client(kept.url());
  start = Clock::now();
  auto session = batch.session();
  for (const auto& m : pending) ASSERT_TRUE(session.post_status(m.payload, m.event_id).ok());
  const auto per_batch = Clock::now() - start;
  EXPECT_EQ(session.connections_opened(), 1);

  std::cout << pending.size() << " status messages over HTTPS: a connection each "
            << ms(per_message) << " ms, one kept connection " << ms(per_batch) << " ms\n";
  const auto base = [](const nlohmann::json& log) {
    std::vector<std::string> ids;
    for (const auto& e : log["events"]) ids.push_back(e["event_id"].get<std::string>());
    return ids;
  };
  HttpRequest r;  // the logs, over HTTPS too
  auto context = make_tls_client_context({pki.ca(), pki.client().cert, pki.client().key});
  ASSERT_TRUE(context.ok());
  r.host = "127.0.0.1";
  r.target = "/v1/status-log";
  r.tls = context->get();
  std::vector<std::vector<std::string>> logs;
  for (SimProcess* sim : {&one_each, &kept}) {
    const std::string port = std::to_string(sim->port());
    r.port = port;
    auto response = http_exchange(r);
    ASSERT_TRUE(response.ok());
    const auto log = nlohmann::json::parse(response->body);
    EXPECT_EQ(log["duplicates"], 0);
    logs.push_back(base(log));
  }
  EXPECT_EQ(logs[0], logs[1]) << "the same messages in the same order either way";
  EXPECT_EQ(logs[1].size(), pending.size());
}

// A kept connection the bureau closed (here: it restarted on the same port)
// is replaced by the next request; the message is not lost.
TEST_F(PushTest, AKeptConnectionTheBureauClosedIsReplaced) {
  auto first =
      std::make_unique<SimProcess>(std::vector<std::string>{"--count", "1", "--log-level", "warn"});
  const std::uint16_t port = first->port();
  const BureauClient bureau = client(first->url(), 1);
  auto session = bureau.session();
  ASSERT_TRUE(
      session
          .post_status(R"({"application_id":"A1","state":"VALIDATED","event_id":"A1:1","seq":1})",
                       "A1:1")
          .ok());
  first.reset();  // closes our kept connection from its side
  auto second =
      test::ChildProcess::start({test::bin_path("bureau-sim"), "--port", std::to_string(port),
                                 "--count", "1", "--log-level", "warn"});
  ASSERT_TRUE(second.read_line(std::chrono::seconds(20)).has_value()) << second.stderr_text();
  const auto sent = session.post_status(
      R"({"application_id":"A1","state":"QUEUED","event_id":"A1:2","seq":2})", "A1:2");
  ASSERT_TRUE(sent.ok()) << sent.error().describe();
  EXPECT_EQ(session.connections_opened(), 2);

  HttpRequest r;
  r.host = "127.0.0.1";
  const std::string port_text = std::to_string(port);
  r.port = port_text;
  r.target = "/v1/status-log";
  auto response = http_exchange(r);
  ASSERT_TRUE(response.ok());
  const auto log = nlohmann::json::parse(response->body);
  ASSERT_EQ(log["events"].size(), 1u);
  EXPECT_EQ(log["events"][0]["event_id"], "A1:2");
}

}  // namespace
}  // namespace cardd::server
