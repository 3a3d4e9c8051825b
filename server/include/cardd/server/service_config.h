// The configuration of the `cardd` service (and, later, of cardctl): the
// contract is ../shared/spec/service.md. Every key has an embedded default
// (a simulated center on 127.0.0.1); a file names only what differs.
//
// Loading reports every problem at once, each naming the key and its line
// ("hsm.backend: must be soft or pkcs11 (line 7)"): unknown keys, wrong
// types and impossible values. Secrets never sit in the file: only `*_file`
// keys name where they are, so `passphrase = "..."` is an unknown key.
//
// Service policy (issue #12): a file that selects `hsm.backend = "soft"` is
// refused unless it also says `hsm.allow_soft_backend = true`. The embedded
// defaults set it (they describe a simulated center, not production).
// Likewise (issue #13) an http:// bureau elsewhere than on this host needs
// `bureau.allow_plain_http = true`; https:// needs the mutual-TLS files.
//
// Thread safety: plain values; the functions are pure (load_*_file reads the
// file and nothing else).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cardd/common/result.h"

namespace cardd::server {

enum class ConfigError {
  unreadable = 1,  // the file cannot be read
  syntax,          // not TOML
  invalid,         // unknown key, wrong type, impossible value, policy
};
std::string_view to_string(ConfigError e);
const std::error_category& config_category();
inline std::error_code make_error_code(ConfigError e) {
  return {static_cast<int>(e), config_category()};
}

struct CenterConfig {
  std::string region = "beijing";         // profiles/<region>/
  std::vector<std::string> profile_path;  // searched before the installed profiles
  bool operator==(const CenterConfig&) const = default;
};

struct DatabaseConfig {
  // sqlite://<path>: "sqlite:///var/lib/x.db" is the absolute /var/lib/x.db,
  // "sqlite://x.db" is relative to the working directory.
  std::string url = "sqlite:///var/lib/cardd/cardd.db";
  // The file path of a sqlite:// url; empty for any other scheme.
  std::string sqlite_path() const;
  bool operator==(const DatabaseConfig&) const = default;
};

struct HsmSection {
  std::string backend = "soft";  // soft | pkcs11
  // soft
  std::string keystore = "/var/lib/cardd/keys.cks";
  std::string passphrase_file = "/etc/cardd/keystore.pass";
  // pkcs11
  std::string module = "/usr/lib/softhsm/libsofthsm2.so";
  std::string token_label = "cardd";
  std::string pin_file = "/etc/cardd/token.pin";
  // Must be set for the soft backend in a file (see the top of this file).
  bool allow_soft_backend = false;
  bool operator==(const HsmSection&) const = default;
};

struct BureauConfig {
  std::string url = "http://127.0.0.1:8700";
  std::int64_t pull_interval_ms = 5000;  // > 0
  std::int64_t page_size = 200;          // 1 .. kMaxPageSize
  bool push = true;                      // status changes POSTed back
  // Mutual TLS (server::BureauOptions): required for https://.
  std::string ca_file;                  // the bureau's CA, the only one trusted
  std::string certificate_file;         // our client certificate chain
  std::string key_file;                 // its private key
  std::string signing_public_key_file;  // Ed25519: pages must be signed when set
  std::int64_t max_page_mib = 16;       // 1 .. 256
  // http:// to another host sends ID numbers and photos in the clear: only
  // when this says so (tests). To 127.x, [::1] or localhost it is allowed.
  bool allow_plain_http = false;
  static constexpr std::int64_t kMaxPageSize = 1000;
  bool operator==(const BureauConfig&) const = default;
};

struct ApiConfig {
  std::string listen = "127.0.0.1:8443";  // host:port
  std::string tls_certificate_file;       // TLS when both are set, neither or both
  std::string tls_key_file;
  std::int64_t requests_per_second = 200;  // per token, 429 beyond; 0: no limit
  // Open connections in all and per client address; a new one beyond either
  // is answered 503. With the request limits they bound the API's memory.
  std::int64_t max_connections = 1024;
  std::int64_t max_connections_per_client = 128;
  std::int64_t request_timeout_ms = 10'000;  // a request must arrive whole within this
  // The web pages' folder, served under /ui/; empty: <bin>/../share/cardd/web,
  // where they are installed (and linked in a build tree).
  std::string web_root = {};
  bool operator==(const ApiConfig&) const = default;
};

struct LineConfig {
  std::string name;                // unique among the lines
  std::vector<std::string> slots;  // reader-name patterns, at least one
  std::string printer;             // ipp:// or ipps:// URI
  bool operator==(const LineConfig&) const = default;
};

struct FulfilmentConfig {
  std::string courier = "ems";  // ems (UPU S10 tracking numbers)
  // The courier's range, both ends included, same prefix and country; the
  // check digit written here is not trusted (recomputed at allocation).
  std::string tracking_first = "EA000000001CN";
  std::string tracking_last = "EA999999999CN";
  std::int64_t pack_batch = 50;  // > 0
  // Where a shipped pack's carrier letters and labels are printed (two PDFs
  // per pack): ipp://, ipps:// or dir:///ABSOLUTE/PATH as for a line's printer.
  std::string paper_printer = "dir:///var/spool/cardd/paper";
  bool operator==(const FulfilmentConfig&) const = default;
};

struct LogConfig {
  std::string level = "info";                // trace | debug | info | warn | error | critical | off
  std::string format = "text";               // text | json (one JSON object per line)
  std::string file;                          // also log to this file when set (created 0600)
  std::int64_t progress_interval_ms = 5000;  // the "progress:" line, 100 .. 3'600'000
  bool operator==(const LogConfig&) const = default;
};

// The holder's images after the card reached them (retention.h).
struct RetentionConfig {
  std::int64_t image_days = 0;            // days after delivery or collection, 0 .. 3650
  std::int64_t interval_ms = 86'400'000;  // how often the daemon deletes, 1'000 .. 604'800'000
  bool operator==(const RetentionConfig&) const = default;
};

struct ServiceConfig {
  CenterConfig center;
  DatabaseConfig database;
  HsmSection hsm;
  BureauConfig bureau;
  ApiConfig api;
  std::vector<LineConfig> lines;
  FulfilmentConfig fulfilment;
  LogConfig log;
  RetentionConfig retention;
  bool operator==(const ServiceConfig&) const = default;
};

// The embedded defaults: a simulated center on 127.0.0.1 with one line of
// two virtual readers, soft backend allowed.
ServiceConfig default_service_config();

// Parses `text`; keys it does not name keep the embedded defaults, except
// hsm.allow_soft_backend, which is false unless the text sets it. `origin`
// (a file name) prefixes the message. Errors: syntax, invalid — the message
// lists every problem, "; "-separated, on one line.
Result<ServiceConfig> parse_service_config(std::string_view text, std::string_view origin);
// Reads and parses a file. Errors: unreadable, syntax, invalid.
Result<ServiceConfig> load_service_config(const std::string& path);

// The effective configuration as TOML, every key written (defaults too);
// parse_service_config() of the text gives back an equal ServiceConfig.
std::string to_toml(const ServiceConfig& config);

}  // namespace cardd::server

template <>
struct std::is_error_code_enum<cardd::server::ConfigError> : std::true_type {};
