#include "json_log_formatter.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <string_view>

namespace cardd {
namespace {

void put(std::string_view s, spdlog::memory_buf_t& dest) {
  dest.append(s.data(), s.data() + s.size());
}

// JSON string escaping; bytes >= 0x80 pass through (messages are UTF-8).
void append_json_string(std::string_view s, spdlog::memory_buf_t& dest) {
  dest.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        put("\\\"", dest);
        break;
      case '\\':
        put("\\\\", dest);
        break;
      case '\n':
        put("\\n", dest);
        break;
      case '\r':
        put("\\r", dest);
        break;
      case '\t':
        put("\\t", dest);
        break;
      default:
        if (c < 0x20)
          fmt::format_to(std::back_inserter(dest), "\\u{:04x}", c);
        else
          dest.push_back(ch);
    }
  }
  dest.push_back('"');
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const auto since_epoch = msg.time.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs);
  const std::time_t t = static_cast<std::time_t>(secs.count());
  fmt::format_to(std::back_inserter(dest), "{{\"time\":\"{:%Y-%m-%dT%H:%M:%S}.{:03}Z\",",
                 fmt::gmtime(t), millis.count());
  const auto level = spdlog::level::to_string_view(msg.level);
  put("\"level\":", dest);
  append_json_string(std::string_view(level.data(), level.size()), dest);
  put(",\"logger\":", dest);
  append_json_string(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
  put(",\"msg\":", dest);
  append_json_string(std::string_view(msg.payload.data(), msg.payload.size()), dest);
  put("}\n", dest);
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace cardd
