#include "router.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "cardd/common/error_category.h"
#include "cardd/common/metrics.h"
#include "cardd/db/error.h"
#include "cardd/server/fulfilment_error.h"
#include "rate_limit.h"

namespace cardd::server::api {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    const std::size_t end = path.find('/');
    out.push_back(path.substr(0, end));
    path = end == std::string_view::npos ? std::string_view() : path.substr(end);
  }
  return out;
}

bool allowed(const std::vector<std::string>& roles, const std::string& role) {
  if (role == "admin") return true;
  for (const auto& r : roles)
    if (r == role) return true;
  return false;
}

std::string_view bearer(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return {};
  return authorization.substr(kScheme.size());
}

}  // namespace

std::string Call::query_value(std::string_view name) const {
  const auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (s[i] != '%') {
      out.push_back(s[i]);
    } else {
      if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
        return std::nullopt;
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    }
  }
  return out;
}

const std::error_category& api_category() {
  static const ErrorCategory<ApiError> category("request", [](ApiError e) {
    return std::string_view(e == ApiError::forbidden ? "forbidden" : "invalid");
  });
  return category;
}

Response json_response(unsigned status, std::string body) {
  return Response{status, "application/json", std::move(body)};
}

Response error_response(unsigned status, std::string_view code, std::string_view message) {
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  return json_response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response error_response(const Error& e) {
  unsigned status = 500;
  if (e.code == db::DbError::not_found || e.code == FulfilmentError::unknown_tracking_number)
    status = 404;
  if (e.code == db::DbError::illegal_transition || e.code == db::DbError::conflict ||
      e.code == FulfilmentError::id_mismatch)
    status = 409;
  if (e.code == ApiError::invalid) status = 422;
  if (e.code == db::DbError::busy) status = 503;
  return error_response(status, std::string(e.code.category().name()) + "." + e.code.message(),
                        e.message);
}

Router::Router(Authenticator authenticate, RefusalLog refused)
    : authenticate_(std::move(authenticate)),
      refused_(std::move(refused)),
      unmatched_(std::make_unique<RouteMetrics>("-", "unmatched")) {}

Router::~Router() = default;

void Router::limit_rate(std::int64_t per_second) {
  rate_limit_ = per_second > 0 ? std::make_unique<RateLimit>(per_second) : nullptr;
}

void Router::add(Route route) {
  std::vector<std::string> pattern;
  for (std::string_view segment : segments(route.pattern)) pattern.emplace_back(segment);
  patterns_.push_back(std::move(pattern));
  metrics_.push_back(std::make_unique<RouteMetrics>(route.method, route.pattern));
  routes_.push_back(std::move(route));
}

namespace {

using Params = std::map<std::string, std::string, std::less<>>;

// The path's segments against a pattern's: the values of its {params}, or
// nullopt when they do not match.
std::optional<Params> match(const std::vector<std::string>& want,
                            const std::vector<std::string_view>& got) {
  if (want.size() != got.size()) return std::nullopt;
  Params params;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      auto value = percent_decode(got[i], false);
      if (!value || value->empty()) return std::nullopt;
      params.emplace(want[i].substr(1, want[i].size() - 2), std::move(*value));
    } else if (want[i] != got[i]) {
      return std::nullopt;
    }
  }
  return params;
}

}  // namespace

Response Router::handle(const Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  std::size_t matched = routes_.size();
  Response response = dispatch(request, matched);
  const bool known = matched < routes_.size();
  RouteMetrics& m = known ? *metrics_[matched] : *unmatched_;
  m.requests(response.status).add();
  m.latency->observe(std::chrono::steady_clock::now() - started);
  return response;
}

Router::RouteMetrics::RouteMetrics(std::string m, std::string p)
    : method(std::move(m)),
      pattern(std::move(p)),
      latency(&metrics::histogram("cardd_http_request_seconds",
                                  "HTTP requests from parsed to answered, by route",
                                  {{"method", method}, {"route", pattern}})) {}

metrics::Counter& Router::RouteMetrics::requests(unsigned status) {
  std::atomic<metrics::Counter*>& slot = by_status[std::min<std::size_t>(status, 599)];
  metrics::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Only the route table's methods and patterns: a caller cannot make new
    // series by sending odd paths.
    counter = &metrics::counter(
        "cardd_http_requests_total", "HTTP requests by route and status",
        {{"method", method}, {"route", pattern}, {"status", std::to_string(status)}});
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

Response Router::dispatch(const Request& request, std::size_t& matched) const {
  const std::string_view target = request.target;
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::vector<std::string_view> got = segments(path);
  bool path_known = false;
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    const Route& route = routes_[r];
    auto params = match(patterns_[r], got);
    if (!params) continue;
    path_known = true;
    if (route.method != request.method) continue;
    matched = r;
    Call call{request, {}, std::move(*params), {}};
    if (q != std::string_view::npos) {
      for (std::string_view rest = target.substr(q + 1); !rest.empty();) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!key || !value)
          return error_response(400, "request.bad_query", "malformed percent-encoding in query");
        call.query.insert_or_assign(std::move(*key), std::move(*value));
      }
    }
    if (!route.roles.empty()) {
      const std::string_view token = bearer(request.authorization);
      if (token.empty()) {
        refused_(request, call.caller, "no bearer token");
        return error_response(401, "auth.missing", "this route needs Authorization: Bearer TOKEN");
      }
      auto caller = authenticate_(token);
      if (!caller) return error_response(caller.error());
      if (!caller->has_value()) {
        refused_(request, call.caller, "unknown, revoked or expired token");
        return error_response(401, "auth.invalid", "the token is unknown, revoked or expired");
      }
      call.caller = std::move(**caller);
      if (!allowed(route.roles, call.caller.role)) {
        refused_(request, call.caller, "role " + call.caller.role + " may not");
        return error_response(
            403, "auth.forbidden",
            "role " + call.caller.role + " may not " + route.method + " " + route.pattern);
      }
      // A branch token acts for its own branch only.
      if (const auto it = call.params.find("code"); call.caller.role == "branch" &&
                                                    it != call.params.end() &&
                                                    it->second != call.caller.branch) {
        refused_(request, call.caller, "another branch");
        return error_response(403, "auth.other_branch", "a branch token acts for its own branch");
      }
      if (rate_limit_ && !rate_limit_->allow(call.caller.token_id, RateLimit::Clock::now())) {
        Response limited = error_response(429, "request.rate_limited",
                                          "too many requests with this token; try again shortly");
        limited.retry_after_seconds = 1;
        return limited;
      }
    }
    try {
      auto response = route.handler(call);
      if (!response && response.error().code == ApiError::forbidden) {
        refused_(request, call.caller, response.error().message);
        return error_response(403, "auth.forbidden", response.error().message);
      }
      if (!response) return error_response(response.error());
      return std::move(*response);
    } catch (const std::exception&) {
      return error_response(500, "internal", "the request could not be handled");
    }
  }
  if (path_known)
    return error_response(405, "request.method_not_allowed",
                          request.method + " is not allowed on " + std::string(path));
  return error_response(404, "request.unknown_route", "no route " + std::string(path));
}

}  // namespace cardd::server::api
