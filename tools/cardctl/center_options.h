// --config (cardd's own configuration) or --db with HSM options: where a
// command that acts on a running center finds its database and HSM.
#pragma once

#include <optional>
#include <string>

#include "cardd/server/service_config.h"
#include "hsm_options.h"

namespace cardd::cardctl {

struct CenterOptions {
  std::string config_file;
  std::string db;
  HsmOptions hsm;

  void add_to(CLI::App& cmd);
};

// The configuration when --config is given; the database and HSM from it
// unless --db says otherwise.
struct Center {
  std::optional<server::ServiceConfig> config;
  std::string db;
  HsmOptions hsm;
};

// 0, or prints why (`command` names the caller) and returns 2.
int locate(const CenterOptions& options, const std::string& command, Center& out);

}  // namespace cardd::cardctl
