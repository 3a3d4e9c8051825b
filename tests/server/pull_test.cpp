#include "cardd/server/puller.h"

#include <gtest/gtest.h>

#include "bureau_sim_process.h"
#include "cardd/testdata/generator.h"
#include "child_process.h"
#include "regions.h"
#include "soft_sealer.h"
#include "test_places.h"

namespace cardd::server {
namespace {

using test::SimProcess;

class PullTest : public ::testing::Test {
 protected:
  std::unique_ptr<db::Store> open_store() {
    return sealer_.open_store((dir_.path() / "cardd.db").string());
  }

  static BureauClient client(const std::string& url, int attempts = 3, int timeout_ms = 5000) {
    BureauOptions options{url, std::chrono::milliseconds(timeout_ms), attempts,
                          std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
    options.allow_plain_http = true;  // these tests are about paging, not transport
    auto c = BureauClient::create(std::move(options));
    EXPECT_TRUE(c.ok());
    return std::move(*c);
  }

  PullResult pull(const BureauClient& bureau, std::int64_t max_pages = 0, int limit = 25) {
    auto store = open_store();
    Intake intake(*store, cardd::test::validator_options());
    PullOptions options;
    options.page_limit = limit;
    options.max_pages = max_pages;
    return pull_approved(bureau, intake, *store, options);
  }

  std::int64_t stored() {
    auto store = open_store();
    const auto counts = store->count_by_state();
    EXPECT_TRUE(counts.ok());
    std::int64_t n = 0;
    for (const auto& [state, count] : *counts) n += count;
    return n;
  }

  test::TempDir dir_;
  test::SoftSealer sealer_{dir_.path()};
};

std::vector<std::string> sim_args(int count, double invalid = 0.2) {
  return {"--count",        std::to_string(count),   "--seed",      "3",
          "--invalid-rate", std::to_string(invalid), "--log-level", "warn"};
}

TEST_F(PullTest, PullsEverythingUntilCaughtUp) {
  SimProcess sim(sim_args(120));
  const auto result = pull(client(sim.url()));
  ASSERT_TRUE(result.status.ok()) << result.status.error().describe();
  EXPECT_TRUE(result.caught_up);
  EXPECT_EQ(result.pages, 5);
  EXPECT_EQ(result.summary.validated + result.summary.rejected, 120);
  EXPECT_GT(result.summary.rejected, 0);
  EXPECT_EQ(stored(), 120);

  // Nothing new: a second pull stores nothing and asks for no page twice.
  const auto again = pull(client(sim.url()));
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.pages, 0);
  EXPECT_EQ(again.summary.total(), 0);
}

TEST_F(PullTest, ResumesAfterACrashBetweenPagesWithoutGapsOrDuplicates) {
  SimProcess sim(sim_args(130));
  const auto first = pull(client(sim.url()), 2);  // "crash" after two pages
  ASSERT_TRUE(first.status.ok());
  EXPECT_FALSE(first.caught_up);
  EXPECT_EQ(first.summary.total(), 50);
  EXPECT_EQ(stored(), 50);

  const auto second = pull(client(sim.url()));  // a new process: fresh store and intake
  ASSERT_TRUE(second.status.ok());
  EXPECT_TRUE(second.caught_up);
  EXPECT_EQ(second.summary.total(), 80);
  EXPECT_EQ(second.summary.duplicate, 0);
  EXPECT_EQ(stored(), 130);

  // Every generated application is there, exactly once.
  const testdata::Generator gen(cardd::test::generator_options(3, 0.2, false, "BJ"));
  auto store = open_store();
  for (std::uint64_t i = 0; i < 130; ++i)
    EXPECT_TRUE(store->status(gen.make(i).application_id).ok()) << i;
}

TEST_F(PullTest, RetriesThroughAFlakyBureau) {
  auto args = sim_args(60);
  args.insert(args.end(), {"--fail-rate", "0.4"});
  SimProcess sim(args);
  const auto result = pull(client(sim.url(), 20), 0, 10);
  ASSERT_TRUE(result.status.ok()) << result.status.error().describe();
  EXPECT_TRUE(result.caught_up);
  EXPECT_EQ(stored(), 60);
}

TEST_F(PullTest, ABureauThatKeepsFailingStopsThePullAndKeepsTheCursor) {
  auto args = sim_args(60);
  args.insert(args.end(), {"--fail-rate", "1.0"});
  SimProcess sim(args);
  const auto result = pull(client(sim.url(), 3));
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(result.status.error().code, BureauError::http_status);
  EXPECT_NE(result.status.error().message.find("3 attempts"), std::string::npos);
  EXPECT_EQ(stored(), 0);
  EXPECT_FALSE(open_store()->cursor("bureau")->has_value());
}

TEST_F(PullTest, AHangingBureauTimesOut) {
  auto args = sim_args(10);
  args.insert(args.end(), {"--timeout-rate", "1.0", "--hang-ms", "3000"});
  SimProcess sim(args);
  const auto result = pull(client(sim.url(), 1, 300));
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(result.status.error().code, BureauError::timeout) << result.status.error().describe();
}

TEST_F(PullTest, NoBureauIsUnreachable) {
  // Port 9 (discard) on loopback: nothing listens there in the test machine.
  const auto result = pull(client("http://127.0.0.1:9", 2));
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(result.status.error().code, BureauError::unreachable)
      << result.status.error().describe();
}

TEST(BureauClient, RefusesUrlsItCannotUse) {
  for (const char* bad : {"ftp://bureau.example", "127.0.0.1:80", "http://", "https://",
                          "http://host:port", "https://host:99999", "https://host:"}) {
    BureauOptions options{bad};
    options.allow_plain_http = true;
    auto c = BureauClient::create(options);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, BureauError::invalid_url) << bad;
  }
  BureauOptions plain{"http://127.0.0.1:8700/bureau/"};
  plain.allow_plain_http = true;
  EXPECT_TRUE(BureauClient::create(plain).ok());
}

TEST(BureauClient, PlainHttpIsRefusedUnlessExplicitlyAllowed) {
  auto c = BureauClient::create(BureauOptions{"http://127.0.0.1:8700"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, BureauError::invalid_url);
  EXPECT_NE(c.error().message.find("https://"), std::string::npos) << c.error().message;
}

TEST(BureauClient, HttpsNeedsTheBureauCaAndOurCertificate) {
  auto c = BureauClient::create(BureauOptions{"https://127.0.0.1:8700"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, BureauError::invalid_config);
  EXPECT_NE(c.error().message.find("CA file"), std::string::npos) << c.error().message;
  BureauOptions missing{"https://127.0.0.1:8700"};
  missing.ca_file = "/nonexistent/ca.pem";
  missing.certificate_file = "/nonexistent/client.pem";
  missing.key_file = "/nonexistent/client.key";
  auto m = BureauClient::create(missing);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, BureauError::invalid_config);
  EXPECT_NE(m.error().message.find("/nonexistent/ca.pem"), std::string::npos) << m.error().message;
}

}  // namespace
}  // namespace cardd::server

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <thread>

namespace cardd::server {
namespace {

// A peer on 127.0.0.1 that answers every connection with fixed bytes.
class CannedPeer {
 public:
  explicit CannedPeer(std::string reply) : reply_(std::move(reply)) {
    thread_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        boost::asio::ip::tcp::socket socket(io_);
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stop.stop_requested()) return;
        boost::asio::streambuf request;
        boost::asio::read_until(socket, request, "\r\n\r\n", ec);
        boost::asio::write(socket, boost::asio::buffer(reply_), ec);
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      }
    });
  }
  ~CannedPeer() {
    thread_.request_stop();
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);  // wakes accept()
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{
      io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};
  std::string reply_;
  std::jthread thread_;
};

BureauClient quick_client(const std::string& url) {
  BureauOptions options{url, std::chrono::milliseconds(2000), 3, std::chrono::milliseconds(1),
                        std::chrono::milliseconds(2)};
  options.allow_plain_http = true;
  return std::move(*BureauClient::create(std::move(options)));
}

TEST(BureauClient, APageThatIsNotTheDocumentedJsonIsABadResponse) {
  const std::string body = R"({"items": []})";
  CannedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                  body);
  auto page = quick_client(peer.url()).approved_applications("", 10);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, BureauError::bad_response);
  EXPECT_NE(page.error().message.find("1 attempt"), std::string::npos)
      << "not retried: " << page.error().message;
}

TEST(BureauClient, APeerThatDoesNotSpeakHttpIsABadResponse) {
  CannedPeer peer("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  auto page = quick_client(peer.url()).approved_applications("", 10);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, BureauError::bad_response) << page.error().describe();
}

TEST(BureauClient, AClientErrorIsNotRetried) {
  CannedPeer peer("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  auto page = quick_client(peer.url()).approved_applications("", 10);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, BureauError::http_status);
  EXPECT_NE(page.error().message.find("HTTP 400 (after 1 attempt)"), std::string::npos)
      << page.error().message;
}

}  // namespace
}  // namespace cardd::server

namespace cardd::server {
namespace {

TEST(BureauClient, ACursorWithControlCharactersIsRefused) {
  const std::string body = R"({"applications": [], "next": "c1\u0007\n"})";
  CannedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                  body);
  auto page = quick_client(peer.url()).approved_applications("", 10);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, BureauError::bad_cursor) << page.error().describe();
  EXPECT_NE(page.error().message.find("1 attempt"), std::string::npos) << page.error().message;
}

}  // namespace
}  // namespace cardd::server
