// to_toml(): the effective configuration, every key written, in the order
// and with the comments of spec/service.md, so an operator can start a file
// from `cardd --print-config`.
#include <sstream>

#include "cardd/server/service_config.h"
#include "config_values.h"

namespace cardd::server {
namespace {

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : ", ") + toml_quoted(items[i]);
  return out + "]";
}

const char* boolean(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string to_toml(const ServiceConfig& c) {
  std::ostringstream o;
  o << "[center]\n"
    << "region = " << toml_quoted(c.center.region) << "   # profiles/<region>/\n"
    << "profile_path = " << quoted_list(c.center.profile_path)
    << "   # searched before the installed profiles\n\n";
  o << "[database]\n"
    << "url = " << toml_quoted(c.database.url) << "\n\n";
  o << "[hsm]\n"
    << "backend = " << toml_quoted(c.hsm.backend) << "   # soft | pkcs11\n"
    << "allow_soft_backend = " << boolean(c.hsm.allow_soft_backend)
    << "   # soft keys in a file: development and tests only\n"
    << "keystore = " << toml_quoted(c.hsm.keystore) << "\n"
    << "passphrase_file = " << toml_quoted(c.hsm.passphrase_file)
    << "   # empty: $CARDD_KEYSTORE_PASSPHRASE\n"
    << "module = " << toml_quoted(c.hsm.module) << "\n"
    << "token_label = " << toml_quoted(c.hsm.token_label) << "\n"
    << "pin_file = " << toml_quoted(c.hsm.pin_file) << "   # empty: $CARDD_HSM_PIN\n\n";
  o << "[bureau]\n"
    << "url = " << toml_quoted(c.bureau.url) << "\n"
    << "pull_interval_ms = " << c.bureau.pull_interval_ms << "\n"
    << "page_size = " << c.bureau.page_size << "\n"
    << "push = " << boolean(c.bureau.push) << "   # status changes POSTed back\n"
    << "ca_file = " << toml_quoted(c.bureau.ca_file) << "   # https://: the bureau's CA\n"
    << "certificate_file = " << toml_quoted(c.bureau.certificate_file)
    << "   # our client certificate\n"
    << "key_file = " << toml_quoted(c.bureau.key_file) << "\n"
    << "signing_public_key_file = " << toml_quoted(c.bureau.signing_public_key_file)
    << "   # Ed25519: signed pages required when set\n"
    << "max_page_mib = " << c.bureau.max_page_mib << "\n"
    << "allow_plain_http = " << boolean(c.bureau.allow_plain_http)
    << "   # http:// (no TLS): tests only\n\n";
  o << "[api]\n"
    << "listen = " << toml_quoted(c.api.listen) << "\n"
    << "tls_certificate_file = " << toml_quoted(c.api.tls_certificate_file)
    << "   # TLS when both are set\n"
    << "tls_key_file = " << toml_quoted(c.api.tls_key_file) << "\n"
    << "requests_per_second = " << c.api.requests_per_second
    << "   # per token, 429 beyond; 0: no limit\n"
    << "max_connections = " << c.api.max_connections
    << "   # open connections; a new one beyond is answered 503\n"
    << "max_connections_per_client = " << c.api.max_connections_per_client
    << "   # the same, per client address\n"
    << "request_timeout_ms = " << c.api.request_timeout_ms
    << "   # a request must arrive whole within this\n"
    << "web_root = " << toml_quoted(c.api.web_root)
    << "   # the web pages; empty: <bin>/../share/cardd/web\n\n";
  for (const LineConfig& line : c.lines)
    o << "[[lines]]\n"
      << "name = " << toml_quoted(line.name) << "\n"
      << "slots = " << quoted_list(line.slots) << "   # reader-name patterns\n"
      << "printer = " << toml_quoted(line.printer) << "\n\n";
  o << "[fulfilment]\n"
    << "courier = " << toml_quoted(c.fulfilment.courier) << "\n"
    << "tracking_first = " << toml_quoted(c.fulfilment.tracking_first)
    << "   # check digit recomputed\n"
    << "tracking_last = " << toml_quoted(c.fulfilment.tracking_last) << "\n"
    << "pack_batch = " << c.fulfilment.pack_batch << "\n"
    << "paper_printer = " << toml_quoted(c.fulfilment.paper_printer)
    << "   # letters and labels, two PDFs per shipped pack\n\n";
  o << "[log]\n"
    << "level = " << toml_quoted(c.log.level) << "\n"
    << "format = " << toml_quoted(c.log.format) << "   # text | json\n"
    << "file = " << toml_quoted(c.log.file) << "   # empty: stderr only\n"
    << "progress_interval_ms = " << c.log.progress_interval_ms << "   # the progress: line\n\n";
  o << "[retention]\n"
    << "image_days = " << c.retention.image_days
    << "   # photo and ID-card images deleted this many days after delivery or collection\n"
    << "interval_ms = " << c.retention.interval_ms << "   # how often the daemon deletes\n";
  // An empty array of tables cannot be written as [[lines]]; `lines = []`
  // must come before the first [table] to belong to the root.
  if (c.lines.empty()) return "lines = []   # no production line\n\n" + o.str();
  return o.str();
}

}  // namespace cardd::server
