#include "http_client.h"

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "cardd/server/bureau_client.h"

namespace cardd::server {
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

Error to_error(const beast::error_code& ec, std::string_view stage) {
  // Timeouts and broken connections are transient; a peer that speaks
  // something other than HTTP is not.
  const bool http_parse_error =
      ec.category() == http::make_error_code(http::error::bad_version).category();
  const BureauError code = ec == beast::error::timeout ? BureauError::timeout
                           : http_parse_error          ? BureauError::bad_response
                                                       : BureauError::unreachable;
  return make_error(code, fmt::format("{}: {}", stage, ec.message()));
}

}  // namespace

Result<HttpResponse> http_exchange(const HttpRequest& r) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(r.max_body_bytes);
  const auto verb = http::string_to_verb(beast::string_view(r.method.data(), r.method.size()));
  http::request<http::string_body> req{verb, r.target, 11};
  req.set(http::field::host, fmt::format("{}:{}", r.host, r.port));
  req.set(http::field::user_agent, "cardd");
  req.set(http::field::accept, "application/json");
  if (!r.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = r.body;
  }
  req.prepare_payload();

  beast::error_code failure;
  std::string_view failed_stage;
  auto fail = [&](beast::error_code ec, std::string_view stage) {
    failure = ec;
    failed_stage = stage;
  };
  const auto deadline = r.timeout;
  resolver.async_resolve(
      std::string(r.host), std::string(r.port),
      [&](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return fail(ec, "resolve");
        stream.expires_after(deadline);
        stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
          if (ec2) return fail(ec2, "connect");
          http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
            if (ec3) return fail(ec3, "write");
            http::async_read(stream, buffer, parser, [&](beast::error_code ec4, std::size_t) {
              if (ec4) return fail(ec4, "read");
            });
          });
        });
      });
  ioc.run();
  if (failure) return to_error(failure, failed_stage);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  auto res = parser.release();
  return HttpResponse{res.result_int(), std::move(res.body())};
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
