// HTTP request handling on arbitrary bytes: cardd's API server in process on
// 127.0.0.1, over a real store (soft HSM and database in a temporary
// folder), gets each input as the bytes of one connection. In an input,
// "@ADMIN@", "@BUREAU@", "@COURIER@" and "@BRANCH@" become tokens of those
// roles, so requests reach the routes behind authentication. Whatever
// comes, the server answers with HTTP or closes, and still answers /healthz.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cardd/db/store.h"
#include "cardd/region/region.h"
#include "cardd/server/api_server.h"
#include "cardd/server/api_tokens.h"
#include "cardd/server/hsm_audit_signer.h"
#include "cardd/server/hsm_sealer.h"
#include "fuzz_support.h"

namespace {

namespace fs = std::filesystem;
using namespace cardd;

using fuzz::must;

struct Harness {
  fs::path dir;
  std::unique_ptr<hsm::Hsm> hsm;
  std::unique_ptr<server::HsmSealer> sealer;
  std::unique_ptr<server::HsmAuditSigner> signer;
  std::unique_ptr<db::Store> store;
  std::unique_ptr<server::ApiServer> api;
  std::vector<std::pair<std::string, std::string>> tokens;  // placeholder, token

  Harness() {
    spdlog::set_level(spdlog::level::warn);
    dir = fuzz::make_temp_folder("cardd-fuzz-http-");
    hsm = fuzz::open_soft_hsm(dir);
    must(server::create_storage_keys(*hsm, false));
    must(server::create_audit_key(*hsm, false));
    sealer = must(server::HsmSealer::open(*hsm));
    signer = must(server::HsmAuditSigner::open(*hsm));
    db::StoreOptions options;
    options.create_if_missing = true;
    options.sealer = sealer.get();
    options.audit_signer = signer.get();
    store = must(db::Store::open((dir / "cardd.db").string(), options));
    for (const auto& [placeholder, role, branch] :
         {std::tuple{"@ADMIN@", "admin", ""}, std::tuple{"@BUREAU@", "bureau", ""},
          std::tuple{"@COURIER@", "courier", ""}, std::tuple{"@BRANCH@", "branch", "0101"}})
      tokens.emplace_back(
          placeholder,
          must(server::create_api_token(*store, role, branch, "fuzz", "", "fuzz")).token);
    server::ApiContext context;
    context.store = store.get();
    context.validation.region = must(region::load_region(CARDD_PROFILES "/beijing")).rules;
    context.validation.clock = [] { return UnixSeconds{1796083200}; };  // 2026-12-01
    server::ApiConfig config;
    config.listen = "127.0.0.1:0";
    config.request_timeout_ms = 2000;
    api = must(server::ApiServer::open(config, context));
    api->start();
    // libFuzzer's timeout timer raises SIGALRM (without SA_RESTART) every
    // few seconds; here it would cut this thread's connect or recv short,
    // which is not the server's doing. The server's threads, started above,
    // take it instead.
    sigset_t alarm;
    ::sigemptyset(&alarm);
    ::sigaddset(&alarm, SIGALRM);
    ::pthread_sigmask(SIG_BLOCK, &alarm, nullptr);
  }

  ~Harness() {
    api->stop();
    api.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // One connection: the bytes sent, the sending side closed, everything
  // read until the server closes.
  std::string exchange(const std::string& bytes) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) __builtin_trap();
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(api->port());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) __builtin_trap();
    for (std::size_t sent = 0; sent < bytes.size();) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server may close early (e.g. 413, 431)
      sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    std::string answer;
    char buffer[16384];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
      answer.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return answer;
  }
};

Harness& harness() {
  static Harness h;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  for (const auto& [placeholder, token] : harness().tokens)
    for (auto at = bytes.find(placeholder); at != std::string::npos;
         at = bytes.find(placeholder, at + token.size()))
      bytes.replace(at, std::string(placeholder).size(), token);
  const std::string answer = harness().exchange(bytes);
  if (!answer.empty() && answer.rfind("HTTP/1.1 ", 0) != 0) __builtin_trap();
  const std::string health =
      harness().exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  if (health.rfind("HTTP/1.1 200", 0) != 0) __builtin_trap();
  return 0;
}
