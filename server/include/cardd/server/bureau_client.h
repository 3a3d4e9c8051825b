// Client of the issuing authority's (HRSS bureau's) API: pulls approved
// applications page by page. Plain HTTP for now (the simulator); HTTPS to the
// real bureau arrives with the server's TLS work.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cardd/common/result.h"

namespace cardd::server {

enum class BureauError {
  invalid_url = 1,  // not http://host:port[/prefix]
  unreachable,      // connection refused, DNS failure, reset
  timeout,          // no complete answer within the timeout
  http_status,      // the bureau answered with an error status
  bad_response,     // the answer is not the documented JSON
};
const std::error_category& bureau_category();
inline std::error_code make_error_code(BureauError e) {
  return {static_cast<int>(e), bureau_category()};
}

struct BureauOptions {
  std::string url;  // e.g. http://127.0.0.1:8700
  std::chrono::milliseconds timeout{10000};
  // Transient failures (unreachable, timeout, 5xx, 429) are retried with
  // exponential back-off; other errors are returned at once.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
};

struct ApprovedPage {
  std::vector<std::string> applications;  // each one JSON object
  std::string next;                       // cursor for the following page
};

// Thread safety: const methods may be called concurrently.
class BureauClient {
 public:
  static Result<BureauClient> create(BureauOptions options);

  // GET /v1/approved-applications?after=CURSOR&limit=N
  Result<ApprovedPage> approved_applications(std::string_view after, int limit) const;

 private:
  BureauClient(BureauOptions options, std::string host, std::string port, std::string prefix);
  BureauOptions options_;
  std::string host_;
  std::string port_;
  std::string prefix_;
};

}  // namespace cardd::server

template <>
struct std::is_error_code_enum<cardd::server::BureauError> : std::true_type {};
