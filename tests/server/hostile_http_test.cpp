// Hostile HTTP against the daemon (issue #17): thousands of slow connections
// from one client address, a slowloris client, pipelined requests. The API
// holds a bounded number of connections (and so of memory, measured), tells
// the rest so, cuts a request that does not arrive in time, and keeps
// answering everyone else. Each attacker has a loopback address of its own.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "daemon_api_fixture.h"

namespace cardd::server {
namespace {

using namespace std::chrono_literals;

// A TCP connection from loopback address `source` to the daemon, raw bytes.
class RawConnection {
 public:
  RawConnection(const char* source, std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    to.sin_port = htons(port);
    connected_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  enum class Got { data, nothing, closed };

  // Reads what has come, waiting up to `wait` for something.
  Got receive(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return Got::nothing;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return Got::closed;  // closed or reset by the server
    received_.append(buffer, static_cast<std::size_t>(n));
    return Got::data;
  }

  // Reads until the server closes, or says nothing for `quiet`.
  Got receive_all(std::chrono::milliseconds quiet) {
    Got got = Got::data;
    while (got == Got::data) got = receive(quiet);
    return got;
  }

  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

// The daemon's resident memory, from /proc.
std::int64_t resident_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}

// As many descriptors as this process may have (the flood needs thousands).
std::size_t raise_descriptor_limit() {
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  ::getrlimit(RLIMIT_NOFILE, &files);
  return static_cast<std::size_t>(files.rlim_cur);
}

using HostileHttp = DaemonApiTest;

TEST_F(HostileHttp, AFloodOfSlowConnectionsIsCappedPerClientAndOthersAreStillServed) {
  constexpr std::size_t kPerClient = 32;
  {
    // Under the sanitizers freed memory waits in a quarantine, which would
    // count here as memory the connections hold: this daemon reuses it.
    const char* had = std::getenv("ASAN_OPTIONS");
    const std::string before_options = had ? had : "";
    ::setenv("ASAN_OPTIONS", (before_options + ":quarantine_size_mb=0").c_str(), 1);
    start("max_connections_per_client = 32\nmax_connections = 512\nrequest_timeout_ms = 60000");
    if (had)
      ::setenv("ASAN_OPTIONS", before_options.c_str(), 1);
    else
      ::unsetenv("ASAN_OPTIONS");
  }
  const std::size_t flood = std::min<std::size_t>(3000, raise_descriptor_limit() - 200);
  ASSERT_GT(flood, 20 * kPerClient) << "too few file descriptors for a flood";
  const int pid = daemon_.child().pid();
  // Settled first: a few ordinary requests have set up the threads' memory.
  {
    Client warm(port());
    for (int i = 0; i < 20; ++i) ASSERT_EQ(warm.send(http::verb::get, "/healthz").status, 200u);
  }
  const std::int64_t before = resident_kib(pid);

  // Each flood connection sends all but the end of a request's headers,
  // just under the header limit, and then nothing.
  const std::string almost_a_request =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + std::string(15'000, 'a') + "\r\n";
  std::vector<std::unique_ptr<RawConnection>> attack;
  for (std::size_t i = 0; i < flood; ++i) {
    attack.push_back(std::make_unique<RawConnection>("127.0.0.2", port()));
    ASSERT_TRUE(attack.back()->connected()) << "connection " << i;
    attack.back()->send(almost_a_request);  // a turned-away one may be closed already
  }

  // Another client is answered at once, the whole time.
  Client other(port());
  EXPECT_EQ(other.send(http::verb::get, "/healthz").status, 200u);
  EXPECT_EQ(other.send(http::verb::get, "/api/v1/applications/NO-SUCH", token("operator")).status,
            404u);

  // All but kPerClient are told 503 and closed; those stay open, unanswered.
  std::size_t turned_away = 0, open = 0;
  for (auto& c : attack) {
    if (c->receive_all(100ms) != RawConnection::Got::closed) {
      ++open;
      EXPECT_EQ(c->received(), "");
      continue;
    }
    ++turned_away;
    EXPECT_EQ(c->received().rfind("HTTP/1.1 503", 0), 0u) << c->received();
    EXPECT_NE(c->received().find("api.too_many_connections"), std::string::npos);
    EXPECT_NE(c->received().find("Retry-After: 1"), std::string::npos);
  }
  EXPECT_EQ(open, kPerClient);
  EXPECT_EQ(turned_away, flood - kPerClient);

  // Memory: the open connections hold at most their headers (a flood without
  // the cap would hold ~15 KB for each of its thousands).
  const std::int64_t after = resident_kib(pid);
  const std::int64_t growth = after - before;
  std::printf("cardd resident memory: %lld KiB before the flood of %zu, %lld KiB during it\n",
              static_cast<long long>(before), flood, static_cast<long long>(after));
  EXPECT_LT(growth, 16 * 1024) << "KiB";
  EXPECT_EQ(other.send(http::verb::get, "/healthz").status, 200u);

  // Once the flood ends, the client address is admitted again.
  attack.clear();
  // (The server closes its side of the flood as it sees each connection go.)
  std::string answer;
  for (int attempt = 0; attempt < 50 && answer.rfind("HTTP/1.1 200", 0) != 0; ++attempt) {
    RawConnection again("127.0.0.2", port());
    ASSERT_TRUE(again.connected());
    again.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    again.receive_all(5s);
    answer = again.received();
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
}

TEST_F(HostileHttp, ASlowlorisRequestIsCutAtTheRequestTimeout) {
  start("request_timeout_ms = 1000");
  RawConnection slow("127.0.0.3", port());
  ASSERT_TRUE(slow.connected());
  // One byte every 100 ms: the whole request would take ~6 s.
  const std::string request =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(20, 'z') + "\r\n\r\n";
  std::size_t sent = 0;
  bool open = true;
  for (; sent < request.size() && open; ++sent) {
    open = slow.send(request.substr(sent, 1)) && slow.receive(100ms) == RawConnection::Got::nothing;
  }
  EXPECT_FALSE(open) << "the server waited for the whole slow request";
  EXPECT_LT(sent, request.size());
  EXPECT_EQ(slow.received(), "") << "closed without an answer";
  Client other(port());
  EXPECT_EQ(other.send(http::verb::get, "/healthz").status, 200u);
}

TEST_F(HostileHttp, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection c("127.0.0.4", port());
  ASSERT_TRUE(c.connected());
  const std::string auth = "Authorization: Bearer " + token("operator") + "\r\n";
  ASSERT_TRUE(
      c.send("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
             "GET /api/v1/applications/NO-SUCH HTTP/1.1\r\nHost: a\r\n" +
             auth +
             "\r\n"
             "GET /api/v1/lines HTTP/1.1\r\nHost: a\r\n\r\n"
             "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(c.receive_all(10s), RawConnection::Got::closed);
  std::vector<std::string> statuses;
  for (std::size_t at = c.received().find("HTTP/1.1 "); at != std::string::npos;
       at = c.received().find("HTTP/1.1 ", at + 1))
    statuses.push_back(c.received().substr(at + 9, 3));
  EXPECT_EQ(statuses, (std::vector<std::string>{"200", "404", "401", "200"})) << c.received();
}

// An HTTP/1.0 client is answered in HTTP/1.1 (RFC 9112 §2.3), and its
// connection is closed after the answer, as HTTP/1.0 expects by default.
TEST_F(HostileHttp, AnHttp10RequestIsAnsweredInHttp11AndClosed) {
  RawConnection c("127.0.0.5", port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("GET /api/v1/lines HTTP/1.0\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(c.receive_all(10s), RawConnection::Got::closed);
  EXPECT_EQ(c.received().rfind("HTTP/1.1 401 ", 0), 0u) << c.received();
  EXPECT_NE(c.received().find("Connection: close\r\n"), std::string::npos) << c.received();
}

}  // namespace
}  // namespace cardd::server
