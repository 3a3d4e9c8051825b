#include "config_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace cardd::server {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_of(std::string_view s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_';
}

bool is_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[')
    return host.size() > 2 && host.back() == ']' &&
           host.substr(1, host.size() - 2).find_first_not_of("0123456789abcdefABCDEF:.") ==
               std::string_view::npos;
  return host.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
         std::string_view::npos;
}

}  // namespace

bool is_region_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
  });
}

bool is_line_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 && all_of(s, is_name_char);
}

bool is_sqlite_url(const std::string& s) {
  return s.starts_with("sqlite://") && s.size() > std::string_view("sqlite://").size();
}

bool is_http_url(const std::string& s) {
  std::string_view rest;
  if (s.starts_with("http://"))
    rest = std::string_view(s).substr(7);
  else if (s.starts_with("https://"))
    rest = std::string_view(s).substr(8);
  else
    return false;
  const auto slash = rest.find('/');
  return is_host_port(std::string(rest.substr(0, slash)));
}

bool is_host_port(const std::string& s) { return is_host_port_from(s, 1); }

bool is_listen_address(const std::string& s) { return is_host_port_from(s, 0); }

bool is_host_port_from(const std::string& s, int lowest_port) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string_view host = std::string_view(s).substr(0, colon);
  const std::string_view port = std::string_view(s).substr(colon + 1);
  if (!is_host(host) || port.empty() || port.size() > 5 || !all_of(port, is_digit)) return false;
  int p = 0;
  std::from_chars(port.data(), port.data() + port.size(), p);
  return p >= lowest_port && p <= 65535;
}

bool is_printer_uri(const std::string& s) {
  return (s.starts_with("ipp://") && s.size() > 6) || (s.starts_with("ipps://") && s.size() > 7) ||
         (s.starts_with("dir:///") && s.size() > 7);
}

bool is_log_level(const std::string& s) {
  static constexpr std::array<std::string_view, 7> kLevels{"trace", "debug",    "info", "warn",
                                                           "error", "critical", "off"};
  return std::find(kLevels.begin(), kLevels.end(), s) != kLevels.end();
}

std::string toml_quoted(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04X}", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace cardd::server
