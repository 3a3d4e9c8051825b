// One HTTP/1.1 exchange over a fresh connection, plain or TLS, with one
// deadline covering name resolution, connect, TLS handshake, write and read.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cardd/common/result.h"

namespace cardd::server {

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header of that name (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
};

struct HttpRequest {
  std::string_view method = "GET";
  std::string_view host;
  std::string_view port;
  std::string target;
  std::string body;  // sent as application/json when not empty
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::chrono::milliseconds timeout{10000};
  std::size_t max_body_bytes = 16u * 1024u * 1024u;
  // TLS when set (see tls_client.h: CA pinned, host name checked); the
  // context must outlive the call.
  boost::asio::ssl::context* tls = nullptr;
};

// Errors are BureauError values: unreachable, timeout, tls (handshake or
// certificate refused, either side), page_too_large, bad_response.
Result<HttpResponse> http_exchange(const HttpRequest& request);

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view value);

}  // namespace cardd::server
