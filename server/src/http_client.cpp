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

// connect → (TLS handshake) → write → read, each bounded by the same deadline
// through the tcp_stream's timer.
template <typename Stream>
Result<HttpResponse> exchange(asio::io_context& ioc, Stream& stream, const Endpoints& endpoints,
                              const HttpRequest& r, Clock::time_point deadline) {
  auto& socket = beast::get_lowest_layer(stream);
  const auto req = make_request(r);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(r.max_body_bytes);
  beast::error_code failure;
  std::string_view failed_stage;
  auto fail = [&](beast::error_code ec, std::string_view stage) {
    failure = ec;
    failed_stage = stage;
  };
  auto write_and_read = [&] {
    http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "write");
      http::async_read(stream, buffer, parser, [&](beast::error_code ec2, std::size_t) {
        if (ec2) return fail(ec2, "read");
      });
    });
  };
  socket.expires_at(deadline);
  socket.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) return fail(ec, "connect");
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec2) {
        if (ec2) return fail(ec2, "TLS handshake");
        write_and_read();
      });
    } else {
      write_and_read();
    }
  });
  ioc.run();
  if (failure) return to_error(failure, failed_stage, r.max_body_bytes);
  // No TLS close_notify wait: the body is complete (length-delimited), and
  // the deadline should not be spent on a courtesy.
  beast::error_code ignored;
  socket.socket().shutdown(tcp::socket::shutdown_both, ignored);
  auto res = parser.release();
  HttpResponse response{res.result_int(), std::move(res.body()), {}};
  for (const auto& field : res)
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return response;
}

}  // namespace

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, beast::string_view(name.data(), name.size()))) return value;
  }
  return {};
}

Result<HttpResponse> http_exchange(const HttpRequest& r) {
  const auto deadline = Clock::now() + r.timeout;
  auto endpoints = resolve_within(std::string(r.host), std::string(r.port), deadline);
  if (!endpoints) return endpoints.error();
  asio::io_context ioc;
  if (r.tls == nullptr) {
    beast::tcp_stream stream(ioc);
    return exchange(ioc, stream, *endpoints, r, deadline);
  }
  TlsStream stream(ioc, *r.tls);
  if (auto prepared = prepare_tls_stream(stream, r.host); !prepared) return prepared.error();
  return exchange(ioc, stream, *endpoints, r, deadline);
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
