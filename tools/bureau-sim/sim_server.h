// The bureau simulator's HTTP/1.1 server, plain or over TLS (Boost.Beast, asynchronous, a
// session per connection, keep-alive).
//
// Each request is answered by Bureau::handle_request, unless the FaultPlan
// picks it (API endpoints only) for an injected 500 or a hang: the connection
// is held without an answer for `hang`, then closed. Bodies over 1 MiB get 413,
// unparsable requests 400; both close the connection. Idle connections are
// closed after `read_timeout`.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "sim_handlers.h"

namespace cardd::bureau_sim {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the system picks a free port
  std::chrono::milliseconds hang{5000};
  std::chrono::milliseconds read_timeout{30000};
  int threads = 4;
  // HTTPS when set (see sim_security.h); plain HTTP otherwise.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// Usage: listen(), then start(), later stop() (or destroy). `bureau` and
// `faults` must outlive the server. stop() may be called from any thread.
class SimServer {
 public:
  SimServer(Bureau& bureau, FaultPlan& faults, ServerOptions options);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // Binds and listens; returns the port actually bound.
  std::uint16_t listen(std::error_code& ec);

  // Starts accepting and serving on `options.threads` threads; returns at once.
  void start();

  // Stops serving, abandons open connections and joins the threads.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardd::bureau_sim
