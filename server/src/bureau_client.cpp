#include "cardd/server/bureau_client.h"
#include "cardd/common/error_category.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "http_client.h"

namespace cardd::server {
namespace {

std::string_view to_string(BureauError e) {
  switch (e) {
    case BureauError::invalid_url:
      return "invalid_url";
    case BureauError::unreachable:
      return "unreachable";
    case BureauError::timeout:
      return "timeout";
    case BureauError::http_status:
      return "http_status";
    case BureauError::bad_response:
      return "bad_response";
  }
  return {};
}

bool is_transient(const Error& e, unsigned status) {
  if (e.code == BureauError::unreachable || e.code == BureauError::timeout) return true;
  return e.code == BureauError::http_status && (status >= 500 || status == 429);
}

Result<ApprovedPage> parse_page(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS)
    return make_error(BureauError::bad_response, "approved-applications page is not JSON");
  simdjson::dom::array apps;
  std::string_view next;
  if (root["applications"].get_array().get(apps) != simdjson::SUCCESS ||
      root["next"].get_string().get(next) != simdjson::SUCCESS)
    return make_error(BureauError::bad_response,
                      "page lacks an applications array or a next cursor");
  ApprovedPage page;
  page.next = std::string(next);
  for (const auto element : apps) page.applications.push_back(simdjson::to_string(element));
  return page;
}

}  // namespace

const std::error_category& bureau_category() {
  static const ErrorCategory<BureauError> category("bureau", to_string);
  return category;
}

BureauClient::BureauClient(BureauOptions options, std::string host, std::string port,
                           std::string prefix)
    : options_(std::move(options)),
      host_(std::move(host)),
      port_(std::move(port)),
      prefix_(std::move(prefix)) {}

Result<BureauClient> BureauClient::create(BureauOptions options) {
  constexpr std::string_view scheme = "http://";
  std::string_view url = options.url;
  if (url.substr(0, scheme.size()) != scheme)
    return make_error(BureauError::invalid_url, "bureau URL must start with http://");
  url.remove_prefix(scheme.size());
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string prefix = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const auto colon = authority.rfind(':');
  std::string host = std::string(authority.substr(0, colon));
  std::string port =
      colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  if (host.empty() || port.empty() || !std::all_of(port.begin(), port.end(), ::isdigit))
    return make_error(BureauError::invalid_url, "bureau URL must be http://host:port[/prefix]");
  return BureauClient(std::move(options), std::move(host), std::move(port), std::move(prefix));
}

Result<ApprovedPage> BureauClient::approved_applications(std::string_view after, int limit) const {
  HttpRequest request;
  request.host = host_;
  request.port = port_;
  request.target = fmt::format("{}/v1/approved-applications?after={}&limit={}", prefix_,
                               url_encode(after), limit);
  request.timeout = options_.timeout;
  auto backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    auto response = http_exchange(request);
    unsigned status = 0;
    Error error;
    if (response && response->status == 200) {
      auto page = parse_page(response->body);
      if (page) return page;
      error = page.error();
    } else if (response) {
      status = response->status;
      error = make_error(BureauError::http_status, fmt::format("bureau answered HTTP {}", status));
    } else {
      error = response.error();
    }
    if (!is_transient(error, status) || attempt >= options_.max_attempts) {
      error.message += fmt::format(" (after {} attempt{})", attempt, attempt == 1 ? "" : "s");
      return error;
    }
    spdlog::warn(
        "bureau: page not received on attempt {} of {} ({}); nothing lost, trying again in {} ms",
        attempt, options_.max_attempts, error.describe(), backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace cardd::server
