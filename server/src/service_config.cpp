#include "cardd/server/service_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "cardd/common/error_category.h"
#include "cardd/common/toml_reader.h"
#include "cardd/server/tracking_number.h"
#include "config_values.h"

namespace cardd::server {

std::string_view to_string(ConfigError e) {
  switch (e) {
    case ConfigError::unreadable:
      return "unreadable";
    case ConfigError::syntax:
      return "syntax";
    case ConfigError::invalid:
      return "invalid";
  }
  return {};
}

const std::error_category& config_category() {
  static const ErrorCategory<ConfigError> category("config", to_string);
  return category;
}

std::string DatabaseConfig::sqlite_path() const {
  constexpr std::string_view kScheme = "sqlite://";
  if (!url.starts_with(kScheme)) return {};
  return url.substr(kScheme.size());
}

ServiceConfig default_service_config() {
  ServiceConfig c;
  // The defaults describe a simulated center on this host, never production.
  c.hsm.allow_soft_backend = true;
  c.lines.push_back(LineConfig{
      "line-1", {"Virtual PCD 00 00", "Virtual PCD 00 01"}, "ipp://127.0.0.1:8631/ipp/print"});
  return c;
}

namespace {

// http://127.x.x.x, http://[::1] or http://localhost: traffic that never
// leaves the machine.
bool names_this_host(std::string_view url) {
  url.remove_prefix(std::string_view("http://").size());
  const std::string_view host = url.substr(0, url.find_first_of(":/"));
  return host.starts_with("127.") || url.starts_with("[::1]") || host == "localhost";
}

// Reads each section over the defaults; every problem is kept, so an
// operator fixes the whole file in one go.
class ConfigParser : public TomlReader {
 public:
  void parse(const toml::table& root, ServiceConfig& c) {
    only_keys(
        root, "",
        {"center", "database", "hsm", "bureau", "api", "lines", "fulfilment", "log", "retention"});
    if (const auto* t = table(root, "center", "", false)) center(*t, c.center);
    if (const auto* t = table(root, "database", "", false)) database(*t, c.database);
    hsm(root, c.hsm);
    bureau(table(root, "bureau", "", false), c.bureau);
    if (const auto* t = table(root, "api", "", false)) api(*t, c.api);
    if (root.get("lines") != nullptr) lines(root, c.lines);
    if (const auto* t = table(root, "fulfilment", "", false)) fulfilment(*t, c.fulfilment);
    if (const auto* t = table(root, "log", "", false)) log(*t, c.log);
    if (const auto* t = table(root, "retention", "", false)) retention(*t, c.retention);
  }

 private:
  void set(const toml::table& t, std::string_view key, std::string_view where, std::string& out) {
    if (auto v = string(t, key, where, false)) out = *v;
  }
  void set(const toml::table& t, std::string_view key, std::string_view where, bool& out) {
    if (auto v = boolean(t, key, where)) out = *v;
  }
  // An integer within [low, high]; outside it is a problem at its line.
  void set(const toml::table& t, std::string_view key, std::string_view where, std::int64_t& out,
           std::int64_t low, std::int64_t high) {
    const auto v = integer(t, key, where, false);
    if (!v) return;
    if (*v < low || *v > high)
      problem(join(where, key),
              "must be between " + std::to_string(low) + " and " + std::to_string(high),
              t.get(key));
    else
      out = *v;
  }
  // `ok` judges the value (already read into `value`); `what` says what it must be.
  template <typename Ok>
  void check(const toml::table& t, std::string_view key, std::string_view where,
             const std::string& value, Ok ok, std::string_view what) {
    if (!ok(value)) problem(join(where, key), what, t.get(key));
  }

  void center(const toml::table& t, CenterConfig& c) {
    only_keys(t, "center", {"region", "profile_path"});
    set(t, "region", "center", c.region);
    check(t, "region", "center", c.region, is_region_name,
          "must be a region folder name (lower-case letters, digits, - and _)");
    if (auto v = strings(t, "profile_path", "center", false)) c.profile_path = *v;
  }

  void database(const toml::table& t, DatabaseConfig& c) {
    only_keys(t, "database", {"url"});
    set(t, "url", "database", c.url);
    check(t, "url", "database", c.url, is_sqlite_url,
          "must be sqlite://PATH (sqlite:///absolute/path or sqlite://relative/path)");
  }

  void hsm(const toml::table& root, HsmSection& c) {
    const auto* t = table(root, "hsm", "", false);
    if (t != nullptr) {
      only_keys(*t, "hsm",
                {"backend", "keystore", "passphrase_file", "module", "token_label", "pin_file",
                 "allow_soft_backend"});
      set(*t, "backend", "hsm", c.backend);
      set(*t, "keystore", "hsm", c.keystore);
      set(*t, "passphrase_file", "hsm", c.passphrase_file);
      set(*t, "module", "hsm", c.module);
      set(*t, "token_label", "hsm", c.token_label);
      set(*t, "pin_file", "hsm", c.pin_file);
      set(*t, "allow_soft_backend", "hsm", c.allow_soft_backend);
    }
    // Where a problem is shown: the key's line, else the backend's, else [hsm]'s.
    const auto line_of = [t](std::string_view key) -> const toml::node* {
      if (t == nullptr) return nullptr;
      if (const toml::node* n = t->get(key)) return n;
      if (const toml::node* n = t->get("backend")) return n;
      return t;
    };
    if (c.backend != "soft" && c.backend != "pkcs11") {
      problem("hsm.backend", "must be soft or pkcs11", line_of("backend"));
    } else if (c.backend == "soft") {
      if (c.keystore.empty())
        problem("hsm.keystore", "must name the soft keystore", line_of("keystore"));
      check_soft_backend_policy(c, t != nullptr && t->get("backend") != nullptr,
                                line_of("backend"));
    } else {
      if (c.module.empty())
        problem("hsm.module", "must name the PKCS#11 module", line_of("module"));
      if (c.token_label.empty())
        problem("hsm.token_label", "must name the token", line_of("token_label"));
    }
  }

  // Issue #12: the soft backend keeps keys in a file on this host; a service
  // runs it only when its configuration says so in as many words.
  void check_soft_backend_policy(const HsmSection& c, bool named, const toml::node* at) {
    if (c.allow_soft_backend) return;
    problem("hsm.backend",
            std::string(named ? "soft" : "soft (the default)") +
                " is for development and tests; use pkcs11, or set hsm.allow_soft_backend = true",
            at);
  }

  void bureau(const toml::table* t, BureauConfig& c) {
    if (t != nullptr) {
      only_keys(*t, "bureau",
                {"url", "pull_interval_ms", "page_size", "push", "ca_file", "certificate_file",
                 "key_file", "signing_public_key_file", "max_page_mib", "allow_plain_http"});
      set(*t, "url", "bureau", c.url);
      check(*t, "url", "bureau", c.url, is_http_url,
            "must be http://HOST:PORT or https://HOST:PORT");
      set(*t, "pull_interval_ms", "bureau", c.pull_interval_ms, 1, 86'400'000);
      set(*t, "page_size", "bureau", c.page_size, 1, BureauConfig::kMaxPageSize);
      set(*t, "push", "bureau", c.push);
      for (const auto& [key, out] : {std::pair<const char*, std::string*>{"ca_file", &c.ca_file},
                                     {"certificate_file", &c.certificate_file},
                                     {"key_file", &c.key_file},
                                     {"signing_public_key_file", &c.signing_public_key_file}})
        set(*t, key, "bureau", *out);
      set(*t, "max_page_mib", "bureau", c.max_page_mib, 1, 256);
      set(*t, "allow_plain_http", "bureau", c.allow_plain_http);
    }
    const auto at = [t](std::string_view key) -> const toml::node* {
      if (t == nullptr) return nullptr;
      if (const toml::node* n = t->get(key)) return n;
      return t->get("url") != nullptr ? t->get("url") : t;
    };
    // Issue #13: the link that brings ID numbers and photos is TLS, mutual;
    // plain HTTP only to this host (a simulator) or when said explicitly.
    if (c.url.starts_with("http://") && !c.allow_plain_http && !names_this_host(c.url))
      problem("bureau.url",
              "http:// sends ID numbers and photos in the clear; use https:// with ca_file, "
              "certificate_file and key_file, or set bureau.allow_plain_http = true (tests only)",
              at("url"));
    if (c.url.starts_with("https://"))
      for (const auto& [key, value] :
           {std::pair<const char*, const std::string*>{"ca_file", &c.ca_file},
            {"certificate_file", &c.certificate_file},
            {"key_file", &c.key_file}})
        if (value->empty())
          problem(std::string("bureau.") + key,
                  "https:// needs the bureau's CA, our certificate "
                  "and its key (mutual TLS)",
                  at(key));
  }

  void api(const toml::table& t, ApiConfig& c) {
    only_keys(t, "api",
              {"listen", "tls_certificate_file", "tls_key_file", "requests_per_second",
               "max_connections", "max_connections_per_client", "request_timeout_ms", "web_root"});
    set(t, "listen", "api", c.listen);
    check(t, "listen", "api", c.listen, is_listen_address,
          "must be HOST:PORT (port 0-65535, 0: any free port)");
    set(t, "tls_certificate_file", "api", c.tls_certificate_file);
    set(t, "tls_key_file", "api", c.tls_key_file);
    set(t, "requests_per_second", "api", c.requests_per_second, 0, 1'000'000);
    set(t, "max_connections", "api", c.max_connections, 1, 100'000);
    set(t, "max_connections_per_client", "api", c.max_connections_per_client, 1, 100'000);
    set(t, "request_timeout_ms", "api", c.request_timeout_ms, 100, 600'000);
    set(t, "web_root", "api", c.web_root);
    if (c.tls_certificate_file.empty() != c.tls_key_file.empty())
      problem(c.tls_key_file.empty() ? "api.tls_key_file" : "api.tls_certificate_file",
              "TLS needs both tls_certificate_file and tls_key_file",
              t.get(c.tls_key_file.empty() ? "tls_certificate_file" : "tls_key_file"));
  }

  // [[lines]] replaces the default lines as a whole.
  void lines(const toml::table& root, std::vector<LineConfig>& out) {
    out.clear();
    std::set<std::string> names;
    const auto list = root.get("lines")->as_array();
    if (list != nullptr && list->empty()) return;  // `lines = []`: no production line
    const auto tabs = tables(root, "lines", "", false);
    for (std::size_t i = 0; i < tabs.size(); ++i) {
      const toml::table& t = *tabs[i];
      const std::string where = index("lines", i);
      only_keys(t, where, {"name", "slots", "printer"});
      LineConfig line;
      if (auto v = string(t, "name", where, true)) line.name = *v;
      if (auto v = strings(t, "slots", where, true)) line.slots = *v;
      if (auto v = string(t, "printer", where, true)) line.printer = *v;
      if (t.get("name") != nullptr && !line.name.empty() && !names.insert(line.name).second)
        problem(join(where, "name"), "another line has the name \"" + line.name + "\"",
                t.get("name"));
      if (t.get("name") != nullptr)
        check(t, "name", where, line.name, is_line_name, "must be 1-64 letters, digits, - or _");
      if (t.get("slots") != nullptr && line.slots.empty())
        problem(join(where, "slots"), "a line needs at least one slot", t.get("slots"));
      for (std::size_t s = 0; s < line.slots.size(); ++s)
        if (line.slots[s].empty())
          problem(index(join(where, "slots"), s), "must not be empty", t.get("slots"));
      if (t.get("printer") != nullptr)
        check(t, "printer", where, line.printer, is_printer_uri,
              "must be ipp://, ipps:// or dir:/// URI");
      out.push_back(std::move(line));
    }
  }

  void fulfilment(const toml::table& t, FulfilmentConfig& c) {
    only_keys(t, "fulfilment",
              {"courier", "tracking_first", "tracking_last", "pack_batch", "paper_printer"});
    set(t, "courier", "fulfilment", c.courier);
    if (c.courier != "ems") {
      problem("fulfilment.courier", "must be ems (the only courier format known)",
              t.get("courier"));
    } else {
      set(t, "tracking_first", "fulfilment", c.tracking_first);
      set(t, "tracking_last", "fulfilment", c.tracking_last);
      const bool first_ok = parse_s10(c.tracking_first, true).ok();
      const bool last_ok = parse_s10(c.tracking_last, true).ok();
      if (!first_ok)
        problem("fulfilment.tracking_first", "must be a UPU S10 number like EA000000001CN",
                t.get("tracking_first"));
      if (!last_ok)
        problem("fulfilment.tracking_last", "must be a UPU S10 number like EA999999999CN",
                t.get("tracking_last"));
      if (first_ok && last_ok)
        if (auto range = parse_tracking_range(c.tracking_first, c.tracking_last); !range)
          problem(
              "fulfilment.tracking_last", range.error().message,
              t.get("tracking_last") != nullptr ? t.get("tracking_last") : t.get("tracking_first"));
    }
    set(t, "pack_batch", "fulfilment", c.pack_batch, 1, 10'000);
    set(t, "paper_printer", "fulfilment", c.paper_printer);
    check(t, "paper_printer", "fulfilment", c.paper_printer, is_printer_uri,
          "must be ipp://, ipps:// or dir:/// URI");
  }

  void retention(const toml::table& t, RetentionConfig& c) {
    only_keys(t, "retention", {"image_days", "interval_ms"});
    set(t, "image_days", "retention", c.image_days, 0, 3650);
    set(t, "interval_ms", "retention", c.interval_ms, 1'000, 604'800'000);
  }

  void log(const toml::table& t, LogConfig& c) {
    only_keys(t, "log", {"level", "format", "file", "progress_interval_ms"});
    set(t, "level", "log", c.level);
    check(t, "level", "log", c.level, is_log_level,
          "must be trace, debug, info, warn, error, critical or off");
    set(t, "format", "log", c.format);
    check(
        t, "format", "log", c.format,
        [](const std::string& f) { return f == "text" || f == "json"; }, "must be text or json");
    set(t, "file", "log", c.file);
    set(t, "progress_interval_ms", "log", c.progress_interval_ms, 100, 3'600'000);
  }
};

}  // namespace

Result<ServiceConfig> parse_service_config(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return make_error(ConfigError::syntax, std::string(origin) + ":" +
                                               std::to_string(e.source().begin.line) + ": " +
                                               std::string(e.description()));
  }
  ServiceConfig config = default_service_config();
  config.hsm.allow_soft_backend = false;  // a file must say so itself
  ConfigParser parser;
  parser.parse(root, config);
  if (!parser.problems().empty()) {
    std::string message(origin);
    for (std::size_t i = 0; i < parser.problems().size(); ++i)
      message += (i == 0 ? ": " : "; ") + parser.problems()[i];
    return make_error(ConfigError::invalid, message);
  }
  return config;
}

Result<ServiceConfig> load_service_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ConfigError::unreadable, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(ConfigError::unreadable, "cannot read " + path);
  return parse_service_config(text.str(), path);
}

}  // namespace cardd::server
