// The bureau simulator: its request handler without sockets, and the real
// bureau-sim process over HTTP on 127.0.0.1.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bureau_sim_process.h"
#include "cardd/testdata/generator.h"
#include "child_process.h"
#include "sim_handlers.h"
#include "test_places.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using cardd::bureau_sim::Bureau;
using cardd::bureau_sim::BureauOptions;
using cardd::bureau_sim::Request;
using cardd::bureau_sim::Response;
using cardd::test::ChildProcess;
using cardd::test::SimProcess;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// tests/support/child_process.h, which the process tests below stand on.

TEST(BureauSimSupport, RunCommandCapturesBothStreamsAndExitCode) {
  const auto r = cardd::test::run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(BureauSimSupport, RunCommandStreamsLargeStdinWithoutDeadlock) {
  std::string data(3 * 1024 * 1024, 'x');
  for (std::size_t i = 0; i < data.size(); i += 100) data[i] = '\n';
  const auto r = cardd::test::run_command({"sh", "-c", "cat; cat /dev/null >&2"}, data);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out == data) << r.out.size();
}

// Without the time limit, `sleep 30` would exit 0.
TEST(BureauSimSupport, RunCommandTimesOut) {
  const auto r = cardd::test::run_command({"sleep", "30"}, "", 200ms);
  EXPECT_EQ(r.exit_code, -1);
}

TEST(BureauSimSupport, ChildProcessLinesEnvironmentAndExit) {
  auto child = ChildProcess::start({"sh", "-c", "echo one; printf 'two\\n%s' \"$CARDD_X\"; exit 4"},
                                   {{"CARDD_X", "tail"}});
  EXPECT_EQ(child.read_line(5s), "one");
  EXPECT_EQ(child.read_line(5s), "two");
  EXPECT_EQ(child.read_line(5s), "tail");  // unterminated last line
  EXPECT_EQ(child.read_line(100ms), std::nullopt);
  EXPECT_EQ(child.wait(), 4);
  EXPECT_FALSE(child.running());
}

TEST(BureauSimSupport, ChildProcessTerminateAndMove) {
  auto child = ChildProcess::start({"sleep", "30"});
  EXPECT_EQ(child.read_line(100ms), std::nullopt);
  ChildProcess moved = std::move(child);
  EXPECT_TRUE(moved.running());
  moved.terminate();
  EXPECT_EQ(moved.wait(), 128 + SIGTERM);
  EXPECT_THROW(ChildProcess::start({"/nonexistent/program"}), std::runtime_error);
}

TEST(BureauSimSupport, TempDirIsRemoved) {
  std::filesystem::path where;
  {
    cardd::test::TempDir dir;
    where = dir.path();
    std::filesystem::create_directories(dir.path() / "a" / "b");
    EXPECT_TRUE(std::filesystem::is_directory(where / "a" / "b"));
  }
  EXPECT_FALSE(std::filesystem::exists(where));
}

// ---------------------------------------------------------------------------
// The handler, without sockets.

Request make_request(http::verb verb, const std::string& target, const std::string& body = "") {
  Request request{verb, target, 11};
  request.body() = body;
  request.prepare_payload();
  return request;
}

nlohmann::json json_of(const Response& response) { return nlohmann::json::parse(response.body()); }

std::string error_code_of(const Response& response) {
  return json_of(response).at("error").at("code").get<std::string>();
}

BureauOptions small_bureau(std::uint64_t count = 12) {
  BureauOptions options;
  options.count = count;
  options.seed = 42;
  options.max_limit = 5;
  options.places = cardd::test::region_places();
  return options;
}

TEST(BureauSimHandler, PagesServeGeneratedApplicationsVerbatim) {
  Bureau bureau(small_bureau());
  cardd::testdata::Generator generator(cardd::test::generator_options(42, 0.0, false));
  const Response page = bureau.handle_request(
      make_request(http::verb::get, "/v1/approved-applications?after=c3&limit=2"));
  ASSERT_EQ(page.result(), http::status::ok);
  EXPECT_EQ(page[http::field::content_type], "application/json");
  const std::string expected = R"({"applications":[)" + generator.make(3).json + "," +
                               generator.make(4).json + R"(],"next":"c5"})";
  EXPECT_EQ(page.body(), expected);
}

TEST(BureauSimHandler, PageFaultsSpoilOnlyNonEmptyPages) {
  const auto page = [](cardd::bureau_sim::PageFault fault, const std::string& after) {
    BureauOptions options = small_bureau();
    options.page_fault = fault;
    options.fault_bytes = 3000;
    return Bureau(options).handle_request(
        make_request(http::verb::get, "/v1/approved-applications?limit=2&after=" + after));
  };
  using cardd::bureau_sim::PageFault;
  EXPECT_EQ(json_of(page(PageFault::stuck_cursor, "c3")).at("next"), "c3");
  EXPECT_EQ(json_of(page(PageFault::stuck_cursor, "")).at("next"), "c0");
  EXPECT_EQ(json_of(page(PageFault::rewinding_cursor, "")).at("next"), "c2");
  EXPECT_EQ(json_of(page(PageFault::rewinding_cursor, "c3")).at("next"), "c0");
  EXPECT_EQ(json_of(page(PageFault::oversized_cursor, "c3")).at("next").get<std::string>().size(),
            3000u);
  const Response big = page(PageFault::oversized_body, "c3");
  EXPECT_GE(big.body().size(), 3000u);
  EXPECT_EQ(json_of(big).at("next"), "c5") << "padded, still the right page";
  // Caught up: the empty page is left alone.
  EXPECT_EQ(json_of(page(PageFault::stuck_cursor, "c12")).at("next"), "c12");
  EXPECT_LT(page(PageFault::oversized_body, "c12").body().size(), 100u);
}

TEST(BureauSimHandler, LimitIsClampedAndValidated) {
  Bureau bureau(small_bureau());
  const auto count_on_page = [&](const std::string& query) {
    const Response r =
        bureau.handle_request(make_request(http::verb::get, "/v1/approved-applications" + query));
    EXPECT_EQ(r.result(), http::status::ok) << query;
    return json_of(r).at("applications").size();
  };
  EXPECT_EQ(count_on_page(""), 5u);  // default 100, clamped to max_limit 5
  EXPECT_EQ(count_on_page("?limit=0"), 1u);
  EXPECT_EQ(count_on_page("?limit=3"), 3u);
  EXPECT_EQ(count_on_page("?limit=99999999999999999999999"), 5u);
  EXPECT_EQ(count_on_page("?after=&limit=2"), 2u);

  for (const std::string bad : {"abc", "-1", "", "1.5", "%zz"}) {
    const Response r = bureau.handle_request(
        make_request(http::verb::get, "/v1/approved-applications?limit=" + bad));
    EXPECT_EQ(r.result(), http::status::bad_request) << bad;
  }
  EXPECT_EQ(error_code_of(bureau.handle_request(
                make_request(http::verb::get, "/v1/approved-applications?limit=x"))),
            "limit.invalid");
}

TEST(BureauSimHandler, BadCursorsAreRejected) {
  Bureau bureau(small_bureau());
  for (const std::string bad : {"x", "c", "c-1", "c013", "c13", "12", "c1x", "C1"}) {
    const Response r = bureau.handle_request(
        make_request(http::verb::get, "/v1/approved-applications?after=" + bad));
    EXPECT_EQ(r.result(), http::status::bad_request) << bad;
    EXPECT_EQ(error_code_of(r), "cursor.invalid") << bad;
  }
  // The end itself is a valid cursor: caught up.
  const Response end =
      bureau.handle_request(make_request(http::verb::get, "/v1/approved-applications?after=c12"));
  ASSERT_EQ(end.result(), http::status::ok);
  EXPECT_EQ(json_of(end), nlohmann::json::parse(R"({"applications":[],"next":"c12"})"));
}

TEST(BureauSimHandler, StatusPushesAreRecordedOncePerEventId) {
  Bureau bureau(small_bureau());
  const auto push = [&](const std::string& body) {
    return bureau.handle_request(make_request(http::verb::post, "/v1/status", body));
  };
  const Response first = push(R"({"application_id":"A","state":"QUEUED","event_id":"e1"})");
  ASSERT_EQ(first.result(), http::status::ok);
  EXPECT_EQ(json_of(first), nlohmann::json::parse(R"({"accepted":true})"));
  EXPECT_EQ(push(R"({"application_id":"B","state":"REJECTED","event_id":7,"reasons":[]})").result(),
            http::status::ok);
  EXPECT_EQ(push(R"({"application_id":"A","state":"QUEUED","event_id":"e1"})").result(),
            http::status::ok);

  const Response log = bureau.handle_request(make_request(http::verb::get, "/v1/status-log"));
  ASSERT_EQ(log.result(), http::status::ok);
  const auto events = json_of(log).at("events");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("event_id"), "e1");
  EXPECT_EQ(events[1].at("event_id"), 7);
  EXPECT_EQ(events[1].at("reasons"), nlohmann::json::array());
}

TEST(BureauSimHandler, InvalidStatusPushesAre400) {
  Bureau bureau(small_bureau());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "json.malformed"},
      {"", "json.malformed"},
      {"[1,2]", "json.not_object"},
      {R"({"state":"QUEUED","event_id":"e"})", "status.invalid_field"},
      {R"({"application_id":"A","event_id":"e"})", "status.invalid_field"},
      {R"({"application_id":"A","state":"QUEUED"})", "status.invalid_field"},
      {R"({"application_id":"A","state":"QUEUED","event_id":""})", "status.invalid_field"},
      {R"({"application_id":5,"state":"QUEUED","event_id":"e"})", "status.invalid_field"},
      {"{\"application_id\":\"\xff\",\"state\":\"Q\",\"event_id\":\"e\"}", "json.malformed"},
  };
  for (const auto& [body, code] : cases) {
    const Response r = bureau.handle_request(make_request(http::verb::post, "/v1/status", body));
    EXPECT_EQ(r.result(), http::status::bad_request) << body;
    EXPECT_EQ(error_code_of(r), code) << body;
  }
  const Response log = bureau.handle_request(make_request(http::verb::get, "/v1/status-log"));
  EXPECT_TRUE(json_of(log).at("events").empty());
}

TEST(BureauSimHandler, RoutingErrors) {
  Bureau bureau(small_bureau());
  const Response unknown = bureau.handle_request(make_request(http::verb::get, "/v1/nothing"));
  EXPECT_EQ(unknown.result(), http::status::not_found);
  EXPECT_EQ(error_code_of(unknown), "not_found");

  const Response wrong =
      bureau.handle_request(make_request(http::verb::post, "/v1/approved-applications", "{}"));
  EXPECT_EQ(wrong.result(), http::status::method_not_allowed);
  EXPECT_EQ(wrong[http::field::allow], "GET");
  EXPECT_EQ(error_code_of(wrong), "method_not_allowed");
  EXPECT_EQ(bureau.handle_request(make_request(http::verb::get, "/v1/status")).result(),
            http::status::method_not_allowed);

  const Response health = bureau.handle_request(make_request(http::verb::get, "/healthz"));
  EXPECT_EQ(health.result(), http::status::ok);
  EXPECT_EQ(health.body(), "ok");
}

TEST(BureauSimHandler, FaultPlanIsReproducible) {
  using cardd::bureau_sim::Fault;
  using cardd::bureau_sim::FaultPlan;
  FaultPlan a(7, 0.3, 0.2), b(7, 0.3, 0.2), other(8, 0.3, 0.2);
  int fails = 0, hangs = 0, differences = 0;
  for (int i = 0; i < 2000; ++i) {
    const Fault fa = a.next();
    EXPECT_EQ(fa, b.next());
    differences += fa != other.next() ? 1 : 0;
    fails += fa == Fault::fail ? 1 : 0;
    hangs += fa == Fault::hang ? 1 : 0;
  }
  EXPECT_NEAR(fails, 600, 100);
  EXPECT_NEAR(hangs, 400, 100);
  EXPECT_GT(differences, 0);
  FaultPlan always(1, 1.0, 0.0), never(1, 0.0, 0.0);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(always.next(), Fault::fail);
    EXPECT_EQ(never.next(), Fault::none);
  }
}

// ---------------------------------------------------------------------------
// The real process, over HTTP.

struct Reply {
  beast::error_code ec;  // set when no response arrived (e.g. the server hung up)
  unsigned status = 0;
  std::string body;
  std::string content_type;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

// A minimal HTTP/1.1 client on one keep-alive connection; every exchange is
// bounded by a timeout so a broken server fails the test instead of hanging it.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  Reply request(http::verb verb, const std::string& target, const std::string& body = "",
                std::chrono::milliseconds timeout = 30s) {
    Request req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    if (verb == http::verb::post) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    return exchange([&](auto&& on_written) { http::async_write(stream_, req, on_written); },
                    timeout);
  }

  // Sends bytes as they are (for malformed HTTP) and reads one response.
  Reply raw(const std::string& bytes, std::chrono::milliseconds timeout = 30s) {
    return exchange(
        [&](auto&& on_written) { net::async_write(stream_, net::buffer(bytes), on_written); },
        timeout);
  }

 private:
  template <typename Write>
  Reply exchange(Write write, std::chrono::milliseconds timeout) {
    Reply reply;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    stream_.expires_after(timeout);
    write([&](beast::error_code ec, std::size_t) {
      if (ec) {
        reply.ec = ec;
        return;
      }
      http::async_read(stream_, buffer_, parser,
                       [&](beast::error_code read_ec, std::size_t) { reply.ec = read_ec; });
    });
    ioc_.restart();
    ioc_.run();
    if (!reply.ec) {
      const auto& res = parser.get();
      reply.status = res.result_int();
      reply.body = res.body();
      reply.content_type = std::string(res[http::field::content_type]);
    }
    return reply;
  }

  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

constexpr std::uint64_t kCount = 23;

std::vector<std::string> sim_args(std::uint64_t seed) {
  return {"--count", std::to_string(kCount), "--seed", std::to_string(seed), "--log-level", "warn"};
}

TEST(BureauSimProcess, PagingReturnsEveryApplicationOnceInOrder) {
  SimProcess sim(sim_args(5));
  ASSERT_NE(sim.port(), 0);
  HttpClient client(sim.port());
  cardd::testdata::Generator generator(cardd::test::generator_options(5, 0.0, false));

  std::string cursor;
  std::vector<nlohmann::json> seen;
  for (int pages = 0; pages < 100; ++pages) {
    const Reply reply =
        client.request(http::verb::get, "/v1/approved-applications?limit=7&after=" + cursor);
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.content_type, "application/json");
    const nlohmann::json page = reply.json();
    const auto& apps = page.at("applications");
    const std::string next = page.at("next").get<std::string>();
    if (apps.empty()) {
      EXPECT_EQ(next, cursor);  // caught up: the same cursor again
      break;
    }
    EXPECT_LE(apps.size(), 7u);
    EXPECT_NE(next, cursor);
    for (const auto& app : apps) seen.push_back(app);
    cursor = next;
  }
  ASSERT_EQ(seen.size(), kCount);
  for (std::uint64_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(seen[i], nlohmann::json::parse(generator.make(i).json)) << "application " << i;
  }
  // Asking again from the last cursor stays caught up.
  const Reply again =
      client.request(http::verb::get, "/v1/approved-applications?limit=7&after=" + cursor);
  ASSERT_EQ(again.status, 200u);
  EXPECT_TRUE(again.json().at("applications").empty());
  EXPECT_EQ(again.json().at("next"), cursor);
}

TEST(BureauSimProcess, SameSeedSameBodies) {
  SimProcess first(sim_args(9));
  SimProcess second(sim_args(9));
  SimProcess other(sim_args(10));
  ASSERT_NE(first.port(), 0);
  ASSERT_NE(second.port(), 0);
  ASSERT_NE(other.port(), 0);
  const std::string target = "/v1/approved-applications?after=c4&limit=6";
  const Reply a = HttpClient(first.port()).request(http::verb::get, target);
  const Reply b = HttpClient(second.port()).request(http::verb::get, target);
  const Reply c = HttpClient(other.port()).request(http::verb::get, target);
  ASSERT_EQ(a.status, 200u);
  ASSERT_EQ(b.status, 200u);
  EXPECT_EQ(a.body, b.body);
  EXPECT_NE(a.body, c.body);
}

TEST(BureauSimProcess, FailRateOneAnswers500WithJsonError) {
  std::vector<std::string> args = sim_args(1);
  args.insert(args.end(), {"--fail-rate", "1.0"});
  SimProcess sim(args);
  ASSERT_NE(sim.port(), 0);
  HttpClient client(sim.port());
  for (int i = 0; i < 3; ++i) {
    const Reply reply = client.request(http::verb::get, "/v1/approved-applications?limit=2");
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.status, 500u);
    EXPECT_EQ(reply.content_type, "application/json");
    EXPECT_FALSE(reply.json().at("error").at("code").get<std::string>().empty());
  }
  const Reply push = client.request(http::verb::post, "/v1/status",
                                    R"({"application_id":"A","state":"QUEUED","event_id":"e"})");
  EXPECT_EQ(push.status, 500u);
  // Not a fault target: health and the log stay reliable; the failed push was not recorded.
  EXPECT_EQ(client.request(http::verb::get, "/healthz").status, 200u);
  const Reply log = client.request(http::verb::get, "/v1/status-log");
  ASSERT_EQ(log.status, 200u);
  EXPECT_TRUE(log.json().at("events").empty());
}

TEST(BureauSimProcess, TimeoutRateHoldsThenClosesTheConnection) {
  std::vector<std::string> args = sim_args(1);
  args.insert(args.end(), {"--timeout-rate", "1.0", "--hang-ms", "300"});
  SimProcess sim(args);
  ASSERT_NE(sim.port(), 0);
  HttpClient client(sim.port());
  const auto started = std::chrono::steady_clock::now();
  const Reply reply = client.request(http::verb::get, "/v1/approved-applications", "", 10s);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(reply.ec) << "got an answer: " << reply.status;
  EXPECT_NE(reply.ec, beast::error::timeout);  // closed by the server, not by our deadline
  EXPECT_GE(waited, 250ms);                    // a lower bound: a slow machine only waits longer
  EXPECT_EQ(HttpClient(sim.port()).request(http::verb::get, "/healthz").status, 200u);
}

TEST(BureauSimProcess, StatusPushesAreLoggedOnce) {
  SimProcess sim(sim_args(1));
  ASSERT_NE(sim.port(), 0);
  HttpClient client(sim.port());
  const std::string e1 = R"({"application_id":"BJ-1","state":"QUEUED","event_id":"ev-1"})";
  const std::string e2 = R"({"application_id":"BJ-2","state":"REJECTED","event_id":"ev-2"})";
  for (const std::string& body : {e1, e2, e1}) {
    const Reply reply = client.request(http::verb::post, "/v1/status", body);
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.json(), nlohmann::json::parse(R"({"accepted":true})"));
  }
  const Reply log = client.request(http::verb::get, "/v1/status-log");
  ASSERT_EQ(log.status, 200u);
  const nlohmann::json expected = {nlohmann::json::parse(e1), nlohmann::json::parse(e2)};
  EXPECT_EQ(log.json().at("events"), expected);
}

TEST(BureauSimProcess, ClientErrors) {
  SimProcess sim(sim_args(1));
  ASSERT_NE(sim.port(), 0);
  HttpClient client(sim.port());

  const Reply malformed = client.request(http::verb::post, "/v1/status", "{\"application_id\":");
  EXPECT_EQ(malformed.status, 400u);
  EXPECT_EQ(malformed.json().at("error").at("code"), "json.malformed");

  const Reply bad_limit = client.request(http::verb::get, "/v1/approved-applications?limit=ten");
  EXPECT_EQ(bad_limit.status, 400u);
  EXPECT_EQ(bad_limit.json().at("error").at("code"), "limit.invalid");

  const Reply bad_cursor = client.request(http::verb::get, "/v1/approved-applications?after=zz");
  EXPECT_EQ(bad_cursor.status, 400u);

  const Reply unknown = client.request(http::verb::get, "/v2/whatever");
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.content_type, "application/json");

  const Reply wrong_method = client.request(http::verb::delete_, "/v1/status-log");
  EXPECT_EQ(wrong_method.status, 405u);

  // All of the above on one keep-alive connection.
  EXPECT_EQ(client.request(http::verb::get, "/healthz").body, "ok");

  // Announced, not sent: the server refuses on the header, and a body it never
  // reads would turn its close into a reset that loses the answer.
  const Reply too_big = HttpClient(sim.port())
                            .raw(
                                "POST /v1/status HTTP/1.1\r\nHost: x\r\n"
                                "Content-Type: application/json\r\n"
                                "Content-Length: 1048577\r\n\r\n");
  EXPECT_EQ(too_big.status, 413u);

  const Reply garbage = HttpClient(sim.port()).raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.status, 400u);

  // Still serving after the abuse.
  EXPECT_EQ(HttpClient(sim.port()).request(http::verb::get, "/healthz").status, 200u);
  sim.child().terminate();
  EXPECT_EQ(sim.child().wait(), 0) << sim.child().stderr_text();
}

}  // namespace
