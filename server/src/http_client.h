// One HTTP/1.1 exchange over a fresh connection, with a deadline covering
// connect, write and read (Beast's timeouts only apply to async operations,
// so this runs them on a private io_context).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "cardd/common/result.h"

namespace cardd::server {

struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

struct HttpRequest {
  std::string_view method = "GET";
  std::string_view host;
  std::string_view port;
  std::string target;
  std::string body;  // sent as application/json when not empty
  std::chrono::milliseconds timeout{10000};
  std::size_t max_body_bytes = 256u * 1024u * 1024u;
};

// Errors are BureauError values: unreachable, timeout, bad_response.
Result<HttpResponse> http_exchange(const HttpRequest& request);

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view value);

}  // namespace cardd::server
