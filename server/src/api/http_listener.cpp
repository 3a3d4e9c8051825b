#include "http_listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "cardd/server/service_config.h"
#include "connection_limit.h"

namespace cardd::server::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

using HttpResponse = http::response<http::string_body>;

// The headers of every answer, set once per connection: the pages load only
// their own files and call only this API; nothing may frame them or guess a
// type the server did not name.
void set_fixed_headers(HttpResponse& out) {
  out.set(http::field::server, "cardd");
  out.set(http::field::cache_control, "no-store");
  out.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'");
  out.set("X-Content-Type-Options", "nosniff");
  out.set("Referrer-Policy", "no-referrer");
}

void set_or_erase(HttpResponse& out, http::field field, std::string_view value) {
  const beast::string_view v(value.data(), value.size());
  if (v.empty())
    out.erase(field);
  else if (out[field] != v)
    out.set(field, v);
}

// `r` into `out`, which keeps its fixed headers from answer to answer.
// Always HTTP/1.1, also to an HTTP/1.0 request (RFC 9112 §2.3: the highest
// version the server conforms to, of the request's major version).
void to_http(Response r, bool keep_alive, HttpResponse& out) {
  out.version(11);
  out.result(static_cast<http::status>(r.status));
  set_or_erase(out, http::field::content_type, r.content_type);
  set_or_erase(out, http::field::location, r.location);
  set_or_erase(out, http::field::retry_after,
               r.retry_after_seconds > 0 ? std::to_string(r.retry_after_seconds) : "");
  out.body() = std::move(r.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
}

// One connection: (TLS handshake,) then request, answer, request … on the
// connection's thread until either side closes or a limit is hit.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... Tls>
  Session(tcp::socket&& socket, std::shared_ptr<void> claim, const ListenerOptions& options,
          const HttpListener::Handle& handle, Tls&... tls)
      : stream_(std::move(socket), tls...),
        claim_(std::move(claim)),
        options_(options),
        handle_(handle) {
    set_fixed_headers(response_);
  }

  void run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->start(); });
  }

 private:
  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(options_.request_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();
                                self->read(true);
                              });
    } else {
      read(true);
    }
  }

  void read(bool first) {
    parser_.emplace();
    parser_->header_limit(options_.header_limit);
    parser_->body_limit(options_.body_limit);
    // The first request must come soon; later ones may wait a keep-alive
    // while, but once begun, each must arrive whole within request_timeout.
    beast::get_lowest_layer(stream_).expires_after(first ? options_.request_timeout
                                                         : options_.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    // A request without a body is whole with its header (most are).
    if (ec || parser_->is_done()) return on_read(ec);
    beast::get_lowest_layer(stream_).expires_after(options_.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted)
      return close();
    if (ec == http::error::body_limit)
      return reply(error_response(
                       413, "request.too_large",
                       "the body is larger than " + std::to_string(options_.body_limit) + " bytes"),
                   false);
    if (ec == http::error::header_limit)
      return reply(error_response(431, "request.header_too_large",
                                  "the headers are larger than " +
                                      std::to_string(options_.header_limit) + " bytes"),
                   false);
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category())
      return reply(error_response(400, "request.malformed", "not an HTTP/1.1 request we can read"),
                   false);
    if (ec) return close();
    const auto& req = parser_->get();
    Request request{std::string(req.method_string()), std::string(req.target()),
                    std::string(req[http::field::authorization]), req.body()};
    Response response;
    try {
      response = handle_(request);
    } catch (const std::exception&) {
      response = error_response(500, "internal", "the request could not be handled");
    }
    reply(std::move(response), req.keep_alive());
  }

  void reply(Response response, bool keep_alive) {
    to_http(std::move(response), keep_alive, response_);
    beast::get_lowest_layer(stream_).expires_after(options_.request_timeout);
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || self->response_.need_eof()) return self->close();
                        self->read(false);
                      });
  }

  void close() {
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  Stream stream_;
  std::shared_ptr<void> claim_;  // this connection's place under the limits
  const ListenerOptions& options_;
  const HttpListener::Handle& handle_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpResponse response_;
};

// A connection over the limits: a plain-HTTP client is told so, then closed
// (a TLS client is closed: it could not read an answer before a handshake).
void turn_away(tcp::socket socket, bool tls) {
  if (tls) {
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  Response busy =
      error_response(503, "api.too_many_connections", "too many open connections; try again later");
  busy.retry_after_seconds = 1;
  struct Answer {
    tcp::socket socket;
    HttpResponse response;
  };
  auto answer = std::make_shared<Answer>(Answer{std::move(socket), {}});
  set_fixed_headers(answer->response);
  to_http(std::move(busy), false, answer->response);
  http::async_write(answer->socket, answer->response, [answer](beast::error_code, std::size_t) {
    beast::error_code ignored;
    answer->socket.shutdown(tcp::socket::shutdown_both, ignored);
    answer->socket.close(ignored);
  });
}

}  // namespace

// One io_context per thread, each connection on one of them for its life:
// a connection's handlers never run on two threads, so they need no strand,
// and the threads share no queue or timer list to wait on each other for.
struct HttpListener::Impl {
  Impl(ListenerOptions o, Handle h)
      : options(std::move(o)),
        handle(std::move(h)),
        limit(options.max_connections, options.max_connections_per_client),
        contexts(make_contexts(options.threads)),
        acceptor(*contexts.front()),
        retry(*contexts.front()) {}

  static std::vector<std::unique_ptr<net::io_context>> make_contexts(int threads) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < std::max(threads, 1); ++i)
      out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  // The next connection's context, in turn.
  net::io_context& next_context() { return *contexts[accepted++ % contexts.size()]; }

  void accept() {
    acceptor.async_accept(next_context(), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) return accept_later(ec);
      accept_failing = false;
      beast::error_code peer_ec;
      const auto peer = socket.remote_endpoint(peer_ec);
      auto claim = limit.admit(peer_ec ? std::string() : peer.address().to_string());
      if (!claim)
        turn_away(std::move(socket), tls.has_value());
      else if (tls)
        std::make_shared<Session<TlsStream>>(std::move(socket), std::move(claim), options, handle,
                                             *tls)
            ->run();
      else
        std::make_shared<Session<beast::tcp_stream>>(std::move(socket), std::move(claim), options,
                                                     handle)
            ->run();
      accept();
    });
  }

  // Out of file descriptors (or the like): accepting again at once would spin
  // while nothing can be accepted. Said once per episode.
  void accept_later(const beast::error_code& ec) {
    if (!std::exchange(accept_failing, true))
      spdlog::warn("api: cannot accept connections ({}); trying again every 100 ms", ec.message());
    retry.expires_after(std::chrono::milliseconds(100));
    retry.async_wait([this](beast::error_code e) {
      if (!e && acceptor.is_open()) accept();
    });
  }

  ListenerOptions options;
  Handle handle;
  ConnectionLimit limit;  // before the io_contexts: their sessions hold claims
  // Before the io_contexts: sessions still queued in them when they are
  // destroyed hold references to the options, the handler and the TLS context.
  std::optional<ssl::context> tls;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  tcp::acceptor acceptor;    // on the first context, as are
  net::steady_timer retry;   // this timer and
  std::size_t accepted = 0;  // the count of connections accepted
  bool accept_failing = false;
  std::vector<std::thread> threads;
};

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpListener::~HttpListener() { stop(); }

Result<std::unique_ptr<HttpListener>> HttpListener::open(const ListenerOptions& options,
                                                         Handle handle) {
  auto impl = std::make_unique<Impl>(options, std::move(handle));
  if (options.tls_certificate_file.empty() != options.tls_key_file.empty())
    return make_error(ConfigError::invalid,
                      "api: tls_certificate_file and tls_key_file go together");
  if (!options.tls_certificate_file.empty()) {
    auto& ctx = impl->tls.emplace(ssl::context::tls_server);
    ctx.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1 | ssl::context::default_workarounds);
    beast::error_code ec;
    ctx.use_certificate_chain_file(options.tls_certificate_file, ec);
    if (ec)
      return make_error(
          ConfigError::invalid,
          "api.tls_certificate_file " + options.tls_certificate_file + ": " + ec.message());
    ctx.use_private_key_file(options.tls_key_file, ssl::context::pem, ec);
    if (ec)
      return make_error(ConfigError::invalid,
                        "api.tls_key_file " + options.tls_key_file + ": " + ec.message());
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec)
    return make_error(ConfigError::invalid,
                      "api.listen: '" + options.address + "' is not an IP address");
  const tcp::endpoint endpoint{address, options.port};
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(ConfigError::invalid, "api.listen " + options.address + ":" +
                                                std::to_string(options.port) + ": " + ec.message());
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

std::uint16_t HttpListener::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

bool HttpListener::tls() const { return impl_->tls.has_value(); }

void HttpListener::start() {
  impl_->accept();
  for (auto& context : impl_->contexts)
    impl_->threads.emplace_back([&context] {
      // A context runs until stop(), also while none of its connections is open.
      auto busy = net::make_work_guard(*context);
      context->run();
    });
}

void HttpListener::stop() {
  if (impl_->threads.empty()) return;
  net::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->retry.cancel();
  });
  for (auto& context : impl_->contexts) context->stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
}

}  // namespace cardd::server::api
