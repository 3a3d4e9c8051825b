// HTTP/1.1 exchanges, plain or TLS, each with one deadline covering name
// resolution, connect, TLS handshake, write and read: one over a fresh
// connection (http_exchange), or a series over one kept-open connection
// (HttpConnection: keep-alive, one TCP and TLS handshake for a batch).
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
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

// A connection kept open between exchanges (HTTP/1.1 keep-alive). An
// exchange reuses it when it goes to the same host, port and TLS context,
// and opens a new one otherwise. A kept connection the server has closed
// meanwhile (idle timeout, restart) is found out when the request cannot be
// written or no byte of an answer comes, and the request goes once more on
// a fresh connection within the same deadline. After an error, or an answer
// saying `Connection: close`, the connection is closed; the next exchange
// opens another. Not thread safe: one per thread (e.g. one per batch).
class HttpConnection {
 public:
  HttpConnection();
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Errors as http_exchange.
  Result<HttpResponse> exchange(const HttpRequest& request);
  bool is_open() const;
  // How many connections this object has opened (tests, measurements).
  int connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One exchange over a fresh connection, closed afterwards.
// Errors are BureauError values: unreachable, timeout, tls (handshake or
// certificate refused, either side), page_too_large, bad_response.
Result<HttpResponse> http_exchange(const HttpRequest& request);

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view value);

}  // namespace cardd::server
