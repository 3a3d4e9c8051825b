// What several route groups share: request bodies, list limits, JSON out.
#include <algorithm>
#include <atomic>
#include <cctype>

#include "routes.h"

namespace cardd::server::api {
namespace {

constexpr std::int64_t kDefaultLimit = 100, kMaxLimit = 1000;

}  // namespace

std::optional<std::int64_t> decimal(const std::string& text, std::int64_t fallback) {
  if (text.empty()) return fallback;
  if (text.size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::optional<std::int64_t> page_limit(const Call& call) {
  auto limit = decimal(call.query_value("limit"), kDefaultLimit);
  if (!limit || *limit < 1 || *limit > kMaxLimit) return std::nullopt;
  return limit;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

db::Store& read_store(const ApiContext& context) {
  if (context.readers.empty()) return *context.store;
  static std::atomic<std::size_t> threads{0};
  thread_local const std::size_t mine = threads++;
  return *context.readers[mine % context.readers.size()];
}

Result<Fulfilment> fulfilment_for(const ApiContext& context, const Call& call) {
  return Fulfilment::create(*context.store, context.fulfilment, actor_of(context, call));
}

std::optional<nlohmann::json> json_object_body(const Call& call) {
  auto body = nlohmann::json::parse(call.request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

std::string text_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Response json_body(unsigned status, const nlohmann::json& body) {
  return json_response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace cardd::server::api
