#include "cardd/server/bureau_client.h"
#include "cardd/common/error_category.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "http_client.h"
#include "page_signature.h"
#include "tls_client.h"

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
    case BureauError::invalid_config:
      return "invalid_config";
    case BureauError::tls:
      return "tls";
    case BureauError::page_too_large:
      return "page_too_large";
    case BureauError::bad_cursor:
      return "bad_cursor";
    case BureauError::bad_signature:
      return "bad_signature";
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
  // The cursor is stored and sent back in every later URL: a huge or binary
  // one would poison every pull after it.
  if (auto usable = check_cursor(next); !usable)
    return make_error(BureauError::bad_cursor, "next: " + usable.error().message);
  ApprovedPage page;
  page.next = std::string(next);
  for (const auto element : apps) page.applications.push_back(simdjson::to_string(element));
  return page;
}

}  // namespace

Status check_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > kMaxCursorBytes)
    return make_error(
        BureauError::bad_cursor,
        fmt::format("the cursor is {} bytes (1..{} accepted)", cursor.size(), kMaxCursorBytes));
  if (!std::all_of(cursor.begin(), cursor.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    return make_error(BureauError::bad_cursor,
                      "the cursor holds characters outside printable ASCII");
  return {};
}

const std::error_category& bureau_category() {
  static const ErrorCategory<BureauError> category("bureau", to_string);
  return category;
}

struct BureauClient::Security {
  std::shared_ptr<boost::asio::ssl::context> tls;  // null for allowed plain HTTP
  std::optional<PageVerifier> verifier;            // set when the bureau signs its pages
};

BureauClient::BureauClient(BureauOptions options, std::string host, std::string port,
                           std::string prefix, std::shared_ptr<Security> security)
    : options_(std::move(options)),
      host_(std::move(host)),
      port_(std::move(port)),
      prefix_(std::move(prefix)),
      security_(std::move(security)) {}

Result<BureauClient> BureauClient::create(BureauOptions options) {
  constexpr std::string_view https = "https://";
  constexpr std::string_view plain = "http://";
  std::string_view url = options.url;
  const bool tls = url.starts_with(https);
  if (!tls && !url.starts_with(plain))
    return make_error(BureauError::invalid_url, "bureau URL must start with https://");
  if (!tls && !options.allow_plain_http)
    return make_error(BureauError::invalid_url,
                      "bureau URL must start with https:// (plain http:// only when explicitly "
                      "allowed, for tests and development)");
  url.remove_prefix(tls ? https.size() : plain.size());
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string prefix = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const auto colon = authority.rfind(':');
  std::string host = std::string(authority.substr(0, colon));
  std::string port = colon == std::string_view::npos ? (tls ? "443" : "80")
                                                     : std::string(authority.substr(colon + 1));
  if (host.empty() || port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), ::isdigit) || std::stoul(port) > 65535)
    return make_error(BureauError::invalid_url, "bureau URL must be https://host:port[/prefix]");
  auto security = std::make_shared<Security>();
  if (tls) {
    auto context = make_tls_client_context(
        TlsClientFiles{options.ca_file, options.certificate_file, options.key_file});
    if (!context) return context.error();
    security->tls = std::move(*context);
  }
  if (!options.signing_public_key_file.empty()) {
    auto verifier = PageVerifier::load(options.signing_public_key_file);
    if (!verifier) return verifier.error();
    security->verifier = std::move(*verifier);
  }
  return BureauClient(std::move(options), std::move(host), std::move(port), std::move(prefix),
                      std::move(security));
}

Result<ApprovedPage> BureauClient::read_page(const std::string& body,
                                             std::string_view signature) const {
  // The signature is checked before the body is even parsed.
  if (security_->verifier) {
    if (auto signed_ok = security_->verifier->verify(body, signature); !signed_ok)
      return signed_ok.error();
  }
  return parse_page(body);
}

Result<HttpResponse> BureauClient::exchange(HttpConnection& connection, HttpRequest& request,
                                            std::string_view what, int& attempts) const {
  request.host = host_;
  request.port = port_;
  request.timeout = options_.timeout;
  request.tls = security_->tls.get();
  auto backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    attempts = attempt;
    auto response = connection.exchange(request);
    unsigned status = 0;
    Error error;
    if (response && response->status / 100 == 2) return response;
    if (response) {
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
        "bureau: {} not done on attempt {} of {} ({}); nothing lost, trying again in {} ms", what,
        attempt, options_.max_attempts, error.describe(), backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

Result<ApprovedPage> BureauClient::approved_applications(std::string_view after, int limit) const {
  HttpRequest request;
  request.target = fmt::format("{}/v1/approved-applications?after={}&limit={}", prefix_,
                               url_encode(after), limit);
  request.max_body_bytes = options_.max_page_bytes;
  int attempts = 0;
  HttpConnection connection;
  auto response = exchange(connection, request, "page", attempts);
  if (!response) return response.error();
  auto page = read_page(response->body, response->header(kSignatureHeader));
  if (!page) {
    // A page that is wrong is not asked for again: the same answer would come.
    Error error = page.error();
    error.message += fmt::format(" (after {} attempt{})", attempts, attempts == 1 ? "" : "s");
    return error;
  }
  return page;
}

Status BureauClient::post_status(std::string_view payload, std::string_view key) const {
  return session().post_status(payload, key);
}

BureauClient::Session BureauClient::session() const { return Session(*this); }

BureauClient::Session::Session(const BureauClient& client)
    : client_(&client), connection_(std::make_unique<HttpConnection>()) {}
BureauClient::Session::~Session() = default;
BureauClient::Session::Session(Session&&) noexcept = default;
BureauClient::Session& BureauClient::Session::operator=(Session&&) noexcept = default;

int BureauClient::Session::connections_opened() const { return connection_->connections_opened(); }

Status BureauClient::Session::post_status(std::string_view payload, std::string_view key) {
  HttpRequest request;
  request.method = "POST";
  request.target = client_->prefix_ + "/v1/status";
  request.body = std::string(payload);
  request.headers.emplace_back("Idempotency-Key", std::string(key));
  request.max_body_bytes = 64u * 1024u;
  int attempts = 0;
  auto response = client_->exchange(*connection_, request, "status message", attempts);
  if (!response) return response.error();
  return {};
}

}  // namespace cardd::server
