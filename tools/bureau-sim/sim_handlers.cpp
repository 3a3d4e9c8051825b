#include "sim_handlers.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace cardd::bureau_sim {
namespace http = boost::beast::http;

namespace {

constexpr std::string_view kApplicationsPath = "/v1/approved-applications";
constexpr std::string_view kStatusPath = "/v1/status";
constexpr std::string_view kStatusLogPath = "/v1/status-log";
constexpr std::string_view kHealthPath = "/healthz";
constexpr std::uint64_t kDefaultLimit = 100;

std::string_view request_path(const Request& request, std::string_view* query = nullptr) {
  const std::string_view target(request.target().data(), request.target().size());
  const auto question = target.find('?');
  if (query != nullptr) {
    *query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  }
  return target.substr(0, question);
}

Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type) {
  Response response{status, request.version()};
  response.set(http::field::server, "cardd-bureau-sim");
  response.set(http::field::content_type, std::string(content_type));
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

template <typename Json>
Response json_response(const Request& request, const Json& body) {
  // Replace rather than throw on invalid UTF-8: messages may quote client input.
  return make_response(request, http::status::ok,
                       body.dump(-1, ' ', false, Json::error_handler_t::replace),
                       "application/json");
}

std::string error_body(std::string_view code, std::string_view message) {
  nlohmann::json body;
  body["error"] = {{"code", code}, {"message", message}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding; nullopt on a broken %-escape.
std::optional<std::string> url_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// "a=1&b=2" → {a:1, b:2}; the last of repeated names wins. nullopt when an
// escape is broken.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = url_decode(pair.substr(0, eq));
    auto value =
        url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    params[*name] = *value;
  }
  return params;
}

// Decimal digits only, saturating at `ceiling` + 1 so huge numbers stay huge.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t ceiling) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > ceiling) value = ceiling + 1;
  }
  return value;
}

std::string cursor_for(std::uint64_t index) { return "c" + std::to_string(index); }

// "c<index>" with index <= count and no leading zeros.
std::optional<std::uint64_t> parse_cursor(std::string_view cursor, std::uint64_t count) {
  if (cursor.size() < 2 || cursor[0] != 'c') return std::nullopt;
  const std::string_view digits = cursor.substr(1);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  const auto index = parse_decimal(digits, count);
  if (!index || *index > count) return std::nullopt;
  return index;
}

bool non_empty_string(const nlohmann::ordered_json& value) {
  return value.is_string() && !value.get_ref<const std::string&>().empty();
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

Response error_response(const Request& request, http::status status, std::string_view code,
                        std::string_view message) {
  return make_response(request, status, error_body(code, message), "application/json");
}

Response error_response(http::status status, std::string_view code, std::string_view message) {
  Request request{http::verb::get, "/", 11};
  request.keep_alive(false);
  return error_response(request, status, code, message);
}

Bureau::Bureau(const BureauOptions& options)
    : options_(options),
      generator_(testdata::GeneratorOptions{options.seed, options.invalid_rate, false, "",
                                            options.places}) {
  options_.max_limit = std::max<std::uint64_t>(options_.max_limit, 1);
}

Response Bureau::handle_request(const Request& request) {
  std::string_view query;
  const std::string_view path = request_path(request, &query);
  const http::verb method = request.method();

  const auto wrong_method = [&](std::string_view allowed) {
    Response response =
        error_response(request, http::status::method_not_allowed, "method_not_allowed",
                       std::string(path) + " accepts only " + std::string(allowed));
    response.set(http::field::allow, std::string(allowed));
    return response;
  };

  if (path == kApplicationsPath) {
    if (method != http::verb::get) return wrong_method("GET");
    return approved_applications(request, query);
  }
  if (path == kStatusPath) {
    if (method != http::verb::post) return wrong_method("POST");
    return post_status(request);
  }
  if (path == kStatusLogPath) {
    if (method != http::verb::get) return wrong_method("GET");
    return status_log(request);
  }
  if (path == kHealthPath) {
    if (method != http::verb::get) return wrong_method("GET");
    return make_response(request, http::status::ok, "ok", "text/plain");
  }
  return error_response(request, http::status::not_found, "not_found",
                        "no such resource: " + std::string(path));
}

Response Bureau::approved_applications(const Request& request, std::string_view query) const {
  const auto params = parse_query(query);
  if (!params) {
    return error_response(request, http::status::bad_request, "request.bad_query",
                          "malformed query string");
  }
  std::uint64_t start = 0;
  std::string cursor = cursor_for(0);
  if (const auto after = params->find("after"); after != params->end() && !after->second.empty()) {
    const auto index = parse_cursor(after->second, options_.count);
    if (!index) {
      return error_response(request, http::status::bad_request, "cursor.invalid",
                            "unknown cursor: " + after->second);
    }
    start = *index;
    cursor = after->second;
  }
  std::uint64_t limit = kDefaultLimit;
  if (const auto it = params->find("limit"); it != params->end()) {
    const auto parsed = parse_decimal(it->second, options_.max_limit);
    if (!parsed) {
      return error_response(request, http::status::bad_request, "limit.invalid",
                            "limit must be a non-negative integer, got: " + it->second);
    }
    limit = *parsed;
  }
  limit = std::clamp<std::uint64_t>(limit, 1, options_.max_limit);

  const std::uint64_t end = std::min(options_.count, start + limit);
  // The generated objects go in verbatim (byte for byte what the generator
  // made), so the body is assembled as text rather than re-serialized.
  std::string body = R"({"applications":[)";
  for (std::uint64_t i = start; i < end; ++i) {
    if (i != start) body += ',';
    body += generator_.make(i).json;
  }
  std::string next = end == start ? cursor : cursor_for(end);
  if (end != start && options_.page_fault == PageFault::stuck_cursor) next = cursor;
  if (end != start && start > 0 && options_.page_fault == PageFault::rewinding_cursor)
    next = cursor_for(0);
  if (end != start && options_.page_fault == PageFault::oversized_cursor)
    next.assign(options_.fault_bytes, 'x');
  body += R"(],"next":)";
  body += nlohmann::json(next).dump();
  body += '}';
  if (end != start && options_.page_fault == PageFault::oversized_body &&
      body.size() < options_.fault_bytes)
    body.append(options_.fault_bytes - body.size(),
                ' ');  // still valid JSON: only its size is wrong
  const std::string signature = options_.signer ? options_.signer->sign(body) : std::string();
  Response response = make_response(request, http::status::ok, std::move(body), "application/json");
  if (options_.signer) response.set("X-Bureau-Signature", signature);
  return response;
}

Response Bureau::post_status(const Request& request) {
  nlohmann::ordered_json event = nlohmann::ordered_json::parse(request.body(), nullptr, false);
  if (event.is_discarded()) {
    return error_response(request, http::status::bad_request, "json.malformed",
                          "request body is not valid JSON");
  }
  if (!event.is_object()) {
    return error_response(request, http::status::bad_request, "json.not_object",
                          "request body must be a JSON object");
  }
  for (const char* field : {"application_id", "state"}) {
    if (!event.contains(field) || !non_empty_string(event[field])) {
      return error_response(request, http::status::bad_request, "status.invalid_field",
                            std::string(field) + " must be a non-empty string");
    }
  }
  const auto id = event.find("event_id");
  if (id == event.end() || !(non_empty_string(*id) || id->is_number_integer())) {
    return error_response(request, http::status::bad_request, "status.invalid_field",
                          "event_id must be a non-empty string or an integer");
  }
  // The bank's idempotency key when it sends one, else the event id.
  const auto header = request.find("Idempotency-Key");
  std::string key = header != request.end() ? std::string(header->value()) : id->dump();
  {
    std::lock_guard lock(mutex_);
    if (!event_ids_.insert(std::move(key)).second) {
      ++duplicates_;
    } else {
      // Per application, seq must only grow: a smaller one arrived late.
      const auto seq = event.find("seq");
      if (seq != event.end() && seq->is_number_integer()) {
        auto& last = last_seq_[event["application_id"].get<std::string>()];
        if (seq->get<std::int64_t>() < last) ++out_of_order_;
        last = std::max(last, seq->get<std::int64_t>());
      }
      events_.push_back(std::move(event));
    }
  }
  return json_response(request, nlohmann::json{{"accepted", true}});
}

std::string Bureau::status_summary() const {
  std::lock_guard lock(mutex_);
  return "status messages received: " + std::to_string(events_.size()) + " (duplicates " +
         std::to_string(duplicates_) + ", out of order " + std::to_string(out_of_order_) + ")";
}

Response Bureau::status_log(const Request& request) const {
  nlohmann::ordered_json body;
  {
    std::lock_guard lock(mutex_);
    body["events"] = events_;
    body["duplicates"] = duplicates_;
    body["out_of_order"] = out_of_order_;
  }
  return json_response(request, body);
}

FaultPlan::FaultPlan(std::uint64_t seed, double fail_rate, double hang_rate)
    : seed_(seed), fail_rate_(fail_rate), hang_rate_(hang_rate) {}

Fault FaultPlan::next() {
  if (fail_rate_ <= 0.0 && hang_rate_ <= 0.0) return Fault::none;
  const std::uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t bits = splitmix64(splitmix64(seed_) ^ n);
  const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;  // uniform in [0, 1)
  if (u < fail_rate_) return Fault::fail;
  if (u < fail_rate_ + hang_rate_) return Fault::hang;
  return Fault::none;
}

bool is_fault_target(const Request& request) {
  const std::string_view path = request_path(request);
  return path == kApplicationsPath || path == kStatusPath;
}

}  // namespace cardd::bureau_sim
