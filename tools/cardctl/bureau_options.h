// The bureau link's options, shared by pull and push: https:// with mutual
// TLS (--bureau-ca, --bureau-cert, --bureau-key); http:// only with
// --bureau-insecure-http (tests, local development).
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <optional>
#include <string>

#include "cardd/server/bureau_client.h"

namespace cardd::cardctl {

struct BureauArgs {
  std::string url;
  int timeout_ms = 10000;
  int attempts = 5;
  std::string ca_file;
  std::string certificate_file;
  std::string key_file;
  std::string signing_key_file;
  std::size_t max_page_mib = 16;
  bool insecure_http = false;

  void add_to(CLI::App& cmd);
  // The client, or nullopt with the reason on stderr.
  std::optional<server::BureauClient> client() const;
};

}  // namespace cardd::cardctl
