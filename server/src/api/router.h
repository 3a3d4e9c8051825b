// The API's routes: method and path pattern ("/api/v1/applications/{id}"),
// the roles that may call it (none: anyone), and its handler. The router
// matches a request, authenticates the caller when the route asks for a
// role, refuses what the caller may not do, and turns whatever goes wrong
// into spec/api.md's error body. Free of HTTP library types, so it is tested
// without a socket; the listener (http_listener.h) carries bytes to it.
//
// Thread safety: handle() may run on several threads at once once the routes
// are added; handlers must be thread-safe themselves.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/metrics.h"
#include "cardd/common/result.h"

namespace cardd::server::api {

class RateLimit;

// Handlers' own errors. forbidden: a caller the route's roles admit asks for
// what is not theirs (a branch token, another branch's card): 403, audited
// like the router's own refusals. invalid: a well-formed body that asks for
// something impossible: 422.
enum class ApiError { forbidden = 1, invalid };
const std::error_category& api_category();
inline std::error_code make_error_code(ApiError e) { return {static_cast<int>(e), api_category()}; }

// Who calls: what the bearer token says.
struct Caller {
  std::int64_t token_id = 0;
  std::string role;    // bureau, operator, branch, courier, admin; empty: anonymous
  std::string branch;  // for a branch token
};

struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query, as sent
  std::string authorization;
  std::string body;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  unsigned retry_after_seconds = 0;  // sent as Retry-After when set (429)
  std::string location = {};         // sent as Location when set (a redirect)
};

// A matched request as a handler sees it.
struct Call {
  const Request& request;
  Caller caller;
  std::map<std::string, std::string, std::less<>> params;  // from the path pattern
  std::map<std::string, std::string, std::less<>> query;   // decoded

  // The query value, or empty.
  std::string query_value(std::string_view name) const;
};

// Handlers return a response or an Error, mapped by error_response().
using Handler = std::function<Result<Response>(const Call&)>;

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> roles;  // empty: no token needed
  std::string summary;             // one line, for the OpenAPI document
  Handler handler;
};

// Turns a bearer token into a caller: nullopt when the token is unknown,
// revoked or expired (answered 401).
using Authenticator = std::function<Result<std::optional<Caller>>(std::string_view token)>;
// Told of every refusal (401, 403): what was asked, who asked, why.
using RefusalLog =
    std::function<void(const Request& request, const Caller& caller, std::string_view reason)>;

// spec/api.md's body {"error": {"code", "message"}} with `status`.
Response error_response(unsigned status, std::string_view code, std::string_view message);
// An Error from below, with the status its code means (404 not_found or an
// unknown tracking number, 409 illegal transition, conflict or an ID number
// that is not the holder's, 422 ApiError::invalid, 503 a dependency down,
// 500 otherwise).
Response error_response(const Error& e);
Response json_response(unsigned status, std::string body);

class Router {
 public:
  Router(Authenticator authenticate, RefusalLog refused);
  ~Router();

  // At most `per_second` requests per second per token (a second's worth at
  // once), 429 beyond; 0: no limit. Before the first request.
  void limit_rate(std::int64_t per_second);

  void add(Route route);
  const std::vector<Route>& routes() const { return routes_; }
  // Counted and timed by route and status (cardd/common/metrics.h).
  Response handle(const Request& request) const;

 private:
  // `matched`: the index of the route whose method and path matched.
  Response dispatch(const Request& request, std::size_t& matched) const;

  Authenticator authenticate_;
  RefusalLog refused_;
  std::vector<Route> routes_;
  // Each route's pattern split at '/', once, when it is added.
  std::vector<std::vector<std::string>> patterns_;
  std::unique_ptr<RateLimit> rate_limit_;

  // Each route's series, found once (the registry's lock is not taken per
  // request): its latency, and its count per status as statuses occur.
  struct RouteMetrics {
    RouteMetrics(std::string method, std::string pattern);
    metrics::Counter& requests(unsigned status);
    std::string method, pattern;
    metrics::Histogram* latency;
    std::array<std::atomic<metrics::Counter*>, 600> by_status{};
  };
  std::vector<std::unique_ptr<RouteMetrics>> metrics_;  // by route
  std::unique_ptr<RouteMetrics> unmatched_;
};

// "%41b" → "Ab"; '+' is a space in a query (`plus_is_space`), itself in a
// path. nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

}  // namespace cardd::server::api

template <>
struct std::is_error_code_enum<cardd::server::api::ApiError> : std::true_type {};
