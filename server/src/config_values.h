// The shapes of single configuration values, checked one at a time so the
// parser can name the key and line of each one that is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cardd::server {

bool is_region_name(const std::string& s);
bool is_line_name(const std::string& s);
bool is_sqlite_url(const std::string& s);
bool is_http_url(const std::string& s);
// HOST:PORT, HOST a name, an IPv4 address or [IPv6]; port 1-65535.
bool is_host_port(const std::string& s);
// The same with port 0 allowed: to listen on any free port (tests).
bool is_listen_address(const std::string& s);
bool is_host_port_from(const std::string& s, int lowest_port);
bool is_printer_uri(const std::string& s);
bool is_log_level(const std::string& s);

// A TOML basic string: quoted, with \ " and control characters escaped.
std::string toml_quoted(std::string_view s);

}  // namespace cardd::server
