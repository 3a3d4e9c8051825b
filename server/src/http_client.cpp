#include "http_client.h"

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "cardd/server/bureau_client.h"
#include "tls_client.h"

namespace cardd::server {
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Endpoints = std::vector<tcp::endpoint>;

namespace {

Error to_error(const beast::error_code& ec, std::string_view stage, std::size_t body_limit) {
  if (ec == http::error::body_limit)
    return make_error(
        BureauError::page_too_large,
        fmt::format("{}: the answer is larger than {} bytes (the page size limit; ask "
                    "for fewer applications per page or raise the limit)",
                    stage, body_limit));
  // Timeouts and broken connections are transient; a peer that speaks
  // something other than HTTP, or a TLS peer either side refuses, is not.
  const bool http_parse_error =
      ec.category() == http::make_error_code(http::error::bad_version).category();
  const bool tls_refused = ec.category() == asio::error::get_ssl_category();
  const BureauError code = ec == beast::error::timeout ? BureauError::timeout
                           : http_parse_error          ? BureauError::bad_response
                           : tls_refused               ? BureauError::tls
                                                       : BureauError::unreachable;
  return make_error(code, fmt::format("{}: {}", stage, ec.message()));
}

// Name resolution within the deadline. Asio's async_resolve runs getaddrinfo
// on an internal thread that cancel() cannot interrupt and that the
// io_context's destructor joins, so a slow resolver would still hold the
// caller past its deadline. Here a detached thread resolves and the caller
// stops waiting at the deadline; a late answer is dropped with the shared state.
Result<Endpoints> resolve_within(const std::string& host, const std::string& port,
                                 Clock::time_point deadline) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) return Endpoints{tcp::endpoint(address, static_cast<unsigned short>(std::stoul(port)))};
  struct Shared {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    beast::error_code ec;
    Endpoints endpoints;
  };
  auto shared = std::make_shared<Shared>();
  std::thread([shared, host, port] {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code error;
    const auto results = resolver.resolve(host, port, error);
    std::lock_guard lock(shared->mutex);
    shared->ec = error;
    for (const auto& entry : results) shared->endpoints.push_back(entry.endpoint());
    shared->done = true;
    shared->done_cv.notify_all();
  }).detach();
  std::unique_lock lock(shared->mutex);
  if (!shared->done_cv.wait_until(lock, deadline, [&] { return shared->done; }))
    return make_error(BureauError::timeout, "resolve: no answer within the deadline");
  if (shared->ec) return to_error(shared->ec, "resolve", 0);
  return std::move(shared->endpoints);
}

http::request<http::string_body> make_request(const HttpRequest& r) {
  const auto verb = http::string_to_verb(beast::string_view(r.method.data(), r.method.size()));
  http::request<http::string_body> req{verb, r.target, 11};
  req.set(http::field::host, fmt::format("{}:{}", r.host, r.port));
  req.set(http::field::user_agent, "cardd");
  req.set(http::field::accept, "application/json");
  for (const auto& [name, value] : r.headers) req.set(name, value);
  if (!r.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = r.body;
  }
  req.prepare_payload();
  return req;
}

}  // namespace

// One of `plain` and `tls` is set while a connection is open.
struct HttpConnection::Impl {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> plain;
  std::optional<TlsStream> tls;
  std::string host, port;
  const asio::ssl::context* context = nullptr;
  beast::flat_buffer buffer;
  int opened = 0;

  bool open() const { return plain.has_value() || tls.has_value(); }
  bool matches(const HttpRequest& r) const {
    return open() && host == r.host && port == r.port && context == r.tls;
  }
  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*tls); }

  // Runs the handlers started until none is left.
  void run() {
    ioc.restart();
    ioc.run();
  }

  void close() {
    if (!open()) return;
    // No TLS close_notify: every answer is length-delimited, and a deadline
    // should not be spent on a courtesy.
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
    tls.reset();
    plain.reset();
    buffer.clear();
  }

  // connect → (TLS handshake), bounded by the deadline through the
  // tcp_stream's timer.
  Status connect(const HttpRequest& r, Clock::time_point deadline) {
    close();
    auto endpoints = resolve_within(std::string(r.host), std::string(r.port), deadline);
    if (!endpoints) return endpoints.error();
    if (r.tls != nullptr) {
      tls.emplace(ioc, *r.tls);
      if (auto prepared = prepare_tls_stream(*tls, r.host); !prepared) {
        tls.reset();
        return prepared.error();
      }
    } else {
      plain.emplace(ioc);
    }
    host = r.host;
    port = r.port;
    context = r.tls;
    ++opened;
    beast::error_code failure;
    std::string_view stage;
    lowest().expires_at(deadline);
    lowest().async_connect(*endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        failure = ec;
        stage = "connect";
        return;
      }
      if (!tls) return;
      tls->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec2) {
        if (ec2) {
          failure = ec2;
          stage = "TLS handshake";
        }
      });
    });
    run();
    if (!failure) return {};
    close();
    return to_error(failure, stage, 0);
  }

  struct Outcome {
    beast::error_code ec;
    std::string_view stage;
    bool got_some = false;  // any byte of an answer arrived
  };

  template <typename Stream>
  Outcome write_read(Stream& stream, const http::request<http::string_body>& req,
                     http::response_parser<http::string_body>& parser, Clock::time_point deadline) {
    Outcome out;
    lowest().expires_at(deadline);
    http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        out.ec = ec;
        out.stage = "write";
        return;
      }
      http::async_read(stream, buffer, parser, [&](beast::error_code ec2, std::size_t) {
        if (ec2) {
          out.ec = ec2;
          out.stage = "read";
        }
      });
    });
    run();
    out.got_some = parser.got_some();
    return out;
  }
};

HttpConnection::HttpConnection() : impl_(std::make_unique<Impl>()) {}
HttpConnection::~HttpConnection() { impl_->close(); }
bool HttpConnection::is_open() const { return impl_->open(); }
int HttpConnection::connections_opened() const { return impl_->opened; }

Result<HttpResponse> HttpConnection::exchange(const HttpRequest& r) {
  const auto deadline = Clock::now() + r.timeout;
  Impl& c = *impl_;
  const auto req = make_request(r);
  bool reused = c.matches(r);
  if (!reused) {
    if (auto connected = c.connect(r, deadline); !connected) return connected.error();
  }
  for (;;) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(r.max_body_bytes);
    const Impl::Outcome out = c.tls ? c.write_read(*c.tls, req, parser, deadline)
                                    : c.write_read(*c.plain, req, parser, deadline);
    if (!out.ec) {
      const bool keep = parser.get().keep_alive();
      auto res = parser.release();
      HttpResponse response{res.result_int(), std::move(res.body()), {}};
      for (const auto& field : res)
        response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      if (!keep) c.close();
      return response;
    }
    c.close();
    // No byte of an answer on a kept connection: most likely the server
    // closed it while it was idle. The request goes once more on a fresh
    // one (the bureau's requests are idempotent: GET, or POST with an
    // idempotency key).
    if (reused && !out.got_some && out.ec != beast::error::timeout) {
      reused = false;
      if (auto connected = c.connect(r, deadline); !connected) return connected.error();
      continue;
    }
    return to_error(out.ec, out.stage, r.max_body_bytes);
  }
}

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, beast::string_view(name.data(), name.size()))) return value;
  }
  return {};
}

Result<HttpResponse> http_exchange(const HttpRequest& r) {
  HttpConnection connection;
  return connection.exchange(r);
}

std::string url_encode(std::string_view value) {
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~')
      out += c;
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

}  // namespace cardd::server
