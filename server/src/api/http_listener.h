// The API's sockets (Boost.Beast): accepts on one address, reads HTTP/1.1
// requests with limits (header size, body size, time to read a request),
// hands each to the router and writes its answer, keeping the connection
// alive while the client does. TLS (OpenSSL) when a certificate and key are
// given. Requests of one connection are answered in order; connections run
// in parallel on the listener's threads.
//
// Thread safety: start/stop from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cardd/common/result.h"
#include "router.h"

namespace cardd::server::api {

struct ListenerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8443;  // 0: any free port (tests)
  std::string tls_certificate_file;
  std::string tls_key_file;
  int threads = 2;
  std::uint32_t header_limit = 16 * 1024;
  std::uint64_t body_limit = 1024 * 1024;
  // A request must arrive whole within this, and an answer be taken.
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};  // between keep-alive requests
  // Open connections; beyond either, a new one is answered 503 and closed.
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_client = 128;  // per remote address
};

class HttpListener {
 public:
  using Handle = std::function<Response(const Request&)>;

  // Binds and listens (nothing is accepted before start()). Errors:
  // config.invalid: the address, certificate or key is unusable, or the
  // address cannot be bound (in use).
  static Result<std::unique_ptr<HttpListener>> open(const ListenerOptions& options, Handle handle);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  std::uint16_t port() const;
  bool tls() const;
  void start();
  // Closes the socket and every connection; returns when the threads ended.
  void stop();

 private:
  struct Impl;
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardd::server::api
