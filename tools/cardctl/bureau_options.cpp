#include "bureau_options.h"

#include <chrono>
#include <iostream>

namespace cardd::cardctl {

void BureauArgs::add_to(CLI::App& cmd) {
  cmd.add_option("--bureau", url, "bureau base URL, e.g. https://bureau.example:8700")->required();
  cmd.add_option("--bureau-ca", ca_file,
                 "the bureau's CA certificate (PEM), the only CA trusted for the bureau");
  cmd.add_option("--bureau-cert", certificate_file,
                 "our client certificate chain for the bureau (PEM)");
  cmd.add_option("--bureau-key", key_file, "the private key of --bureau-cert (PEM)");
  cmd.add_option("--bureau-signing-key", signing_key_file,
                 "the bureau's Ed25519 public key (PEM): every page must be signed with it");
  cmd.add_option("--max-page-mib", max_page_mib, "largest page accepted, in MiB")
      ->check(CLI::Range(1, 1024));
  cmd.add_flag("--bureau-insecure-http", insecure_http,
               "accept an http:// bureau URL (no TLS): tests and local development only");
  cmd.add_option("--timeout-ms", timeout_ms, "per-request timeout")->check(CLI::Range(100, 600000));
  cmd.add_option("--attempts", attempts, "attempts per request on transient failures")
      ->check(CLI::Range(1, 100));
}

std::optional<server::BureauClient> BureauArgs::client() const {
  server::BureauOptions options{url, std::chrono::milliseconds(timeout_ms), attempts,
                                std::chrono::milliseconds(200), std::chrono::milliseconds(5000)};
  options.ca_file = ca_file;
  options.certificate_file = certificate_file;
  options.key_file = key_file;
  options.signing_public_key_file = signing_key_file;
  options.max_page_bytes = max_page_mib * 1024u * 1024u;
  options.allow_plain_http = insecure_http;
  auto created = server::BureauClient::create(std::move(options));
  if (!created) {
    std::cerr << "cardctl: " << created.error().describe() << "\n";
    return std::nullopt;
  }
  return std::move(*created);
}

}  // namespace cardd::cardctl
