#include "sim_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <exception>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace cardd::bureau_sim {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::uint64_t kBodyLimit = 1024 * 1024;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One connection: (TLS handshake,) read a request, answer it (or apply a
// fault), repeat while the client keeps the connection alive. All handlers
// run on the connection's strand. Stream: beast::tcp_stream or TlsStream.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... TlsContext>
  Session(tcp::socket&& socket, Bureau& bureau, FaultPlan& faults, const ServerOptions& options,
          TlsContext&... tls)
      : stream_(std::move(socket), tls...),
        hang_timer_(stream_.get_executor()),
        bureau_(bureau),
        faults_(faults),
        options_(options) {}

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::start, this->shared_from_this()));
  }

 private:
  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(options_.read_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                // A client we refuse (no or wrong certificate) just goes.
                                if (ec) {
                                  spdlog::debug("TLS handshake: {}", ec.message());
                                  return self->close();
                                }
                                self->read();
                              });
    } else {
      read();
    }
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    beast::get_lowest_layer(stream_).expires_after(options_.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) {
      return send(error_response(http::status::payload_too_large, "request.too_large",
                                 "request body exceeds 1 MiB"));
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      // Not HTTP we can parse: say so once, then hang up.
      return send(error_response(http::status::bad_request, "request.malformed",
                                 "malformed HTTP request: " + ec.message()));
    }
    if (ec) return close();

    Request request = parser_->release();
    spdlog::debug("{} {}", std::string(request.method_string()), std::string(request.target()));
    const Fault fault = is_fault_target(request) ? faults_.next() : Fault::none;
    if (fault == Fault::hang) {
      spdlog::debug("injected hang for {} ms", options_.hang.count());
      beast::get_lowest_layer(stream_).expires_never();
      hang_timer_.expires_after(options_.hang);
      hang_timer_.async_wait(
          [self = this->shared_from_this()](beast::error_code) { self->close(); });
      return;
    }
    if (fault == Fault::fail) {
      return send(error_response(request, http::status::internal_server_error, "bureau.unavailable",
                                 "injected failure"));
    }
    try {
      send(bureau_.handle_request(request));
    } catch (const std::exception& e) {
      spdlog::error("handling {}: {}", std::string(request.target()), e.what());
      send(error_response(request, http::status::internal_server_error, "internal",
                          "the simulator failed to handle the request"));
    }
  }

  void send(Response response) {
    response_ = std::move(response);
    beast::get_lowest_layer(stream_).expires_after(options_.read_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return close();
    if (response_.need_eof()) return close();
    read();
  }

  void close() {
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  Stream stream_;
  net::steady_timer hang_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  Bureau& bureau_;
  FaultPlan& faults_;
  const ServerOptions& options_;
};

}  // namespace

struct SimServer::Impl {
  Impl(Bureau& b, FaultPlan& f, ServerOptions o)
      : bureau(b), faults(f), options(std::move(o)), acceptor(net::make_strand(ioc)) {}

  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        spdlog::warn("accept: {}", ec.message());
      } else {
        if (options.tls) {
          std::make_shared<Session<TlsStream>>(std::move(socket), bureau, faults, options,
                                               *options.tls)
              ->run();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(std::move(socket), bureau, faults, options)
              ->run();
        }
      }
      accept();
    });
  }

  Bureau& bureau;
  FaultPlan& faults;
  const ServerOptions options;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
};

SimServer::SimServer(Bureau& bureau, FaultPlan& faults, ServerOptions options)
    : impl_(std::make_unique<Impl>(bureau, faults, std::move(options))) {}

SimServer::~SimServer() { stop(); }

std::uint16_t SimServer::listen(std::error_code& ec) {
  beast::error_code bec;
  const auto address = net::ip::make_address(impl_->options.bind, bec);
  const tcp::endpoint endpoint{address, impl_->options.port};
  if (!bec) impl_->acceptor.open(endpoint.protocol(), bec);
  if (!bec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), bec);
  if (!bec) impl_->acceptor.bind(endpoint, bec);
  if (!bec) impl_->acceptor.listen(net::socket_base::max_listen_connections, bec);
  std::uint16_t port = 0;
  if (!bec) port = impl_->acceptor.local_endpoint(bec).port();
  ec = std::error_code(bec.value(), std::system_category());
  return port;
}

void SimServer::start() {
  impl_->accept();
  const int n = impl_->options.threads > 0 ? impl_->options.threads : 1;
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void SimServer::stop() {
  impl_->ioc.stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
  impl_->threads.clear();
}

}  // namespace cardd::bureau_sim
