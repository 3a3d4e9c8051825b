#include "center_options.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cardd/server/service.h"

namespace cardd::cardctl {

void CenterOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--config", config_file, "cardd's configuration: its database and HSM");
  cmd.add_option("--db", db, "SQLite database file (instead of --config's)");
  hsm.add_to(cmd);
}

int locate(const CenterOptions& options, const std::string& command, Center& out) {
  out.hsm = options.hsm;
  out.db = options.db;
  if (options.config_file.empty()) {
    if (options.db.empty()) {
      std::cerr << "cardctl: " << command
                << ": --config (cardd's configuration) or --db is required\n";
      return 2;
    }
    return 0;
  }
  auto config = server::load_service_config(options.config_file);
  if (!config) {
    std::cerr << "cardctl: " << config.error().describe() << "\n";
    return 2;
  }
  if (out.db.empty()) out.db = config->database.sqlite_path();
  if (out.db.empty()) {
    std::cerr << "cardctl: database.url: only sqlite:// is supported\n";
    return 2;
  }
  out.hsm.config = server::hsm_config(config->hsm);
  out.config = std::move(*config);
  return 0;
}

}  // namespace cardd::cardctl
