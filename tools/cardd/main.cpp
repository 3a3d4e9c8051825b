// cardd: the issuance service a center runs all day (spec/service.md).
// Exit codes: 0 after a stop signal (or --print-config / --check-config),
// 2 when it cannot start (configuration, HSM, database), with one line on
// stderr saying why.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>

#include "cardd/common/allocator.h"
#include "cardd/common/logging.h"
#include "cardd/region/search_path.h"
#include "cardd/server/service.h"
#include "cardd/server/service_config.h"
#include "stop_signals.h"

namespace {

constexpr int kCannotStart = 2;

// One line, whatever the message holds (a region's problems are a list).
int cannot_start(const std::string& what, const cardd::Error& e) {
  std::string text = e.describe();
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::cerr << "cardd: " << what << ": " << text << std::endl;
  return kCannotStart;
}

// --config FILE, else ./cardd.toml when present, else the embedded defaults.
cardd::Result<cardd::server::ServiceConfig> configuration(const std::string& file,
                                                          std::string& origin) {
  origin = file;
  if (origin.empty() && std::filesystem::exists("cardd.toml")) origin = "cardd.toml";
  if (origin.empty()) {
    origin = "embedded defaults";
    return cardd::server::default_service_config();
  }
  return cardd::server::load_service_config(origin);
}

// API connections, the database, readers and printers all take file
// descriptors: a daemon uses what the system allows it (the hard limit), not
// the soft limit of the shell that started it.
void use_every_allowed_descriptor() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur >= files.rlim_max) return;
  files.rlim_cur = files.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0)
    spdlog::warn("cannot raise the open-file limit to {}", files.rlim_max);
}

}  // namespace

int main(int argc, char** argv) {
  cardd::keep_large_allocations();
  CLI::App app{"cardd - the card issuance service"};
  std::string config_file;
  bool print_config = false, check_config = false;
  app.add_option("--config", config_file,
                 "configuration file (default ./cardd.toml when present, else built-in defaults)");
  auto* print = app.add_flag("--print-config", print_config,
                             "print the effective configuration, every default included, and exit");
  app.add_flag("--check-config", check_config, "validate the configuration and exit")
      ->excludes(print);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "cardd: " << e.what() << " (see --help)" << std::endl;
    return kCannotStart;
  }

  std::string origin;
  auto config = configuration(config_file, origin);
  if (!config) return cannot_start("configuration", config.error());
  if (print_config) {
    std::cout << cardd::server::to_toml(*config);
    return 0;
  }
  if (check_config) {
    // The region too: an installed cardd must find the installed profiles.
    const auto search = cardd::region::SearchPath::standard(config->center.profile_path);
    const auto folder = search.locate(config->center.region);
    if (!folder) return cannot_start("region", folder.error());
    if (auto region = search.find(config->center.region); !region)
      return cannot_start("region", region.error());
    std::cout << "cardd: " << origin << ": configuration valid; region " << config->center.region
              << " from " << folder->string() << "\n";
    return 0;
  }

  // Before any thread exists (the HSM may start some).
  const cardd::daemon::StopSignals signals;
  cardd::configure_logging(
      config->log.level, config->log.file,
      config->log.format == "json" ? cardd::LogFormat::json : cardd::LogFormat::text);
  spdlog::info("starting: configuration {}", origin);
  use_every_allowed_descriptor();
  auto service = cardd::server::Service::open(*config);
  if (!service) return cannot_start("cannot start", service.error());
  if (auto started = (*service)->start(); !started)
    return cannot_start("cannot start", started.error());
  spdlog::info("ready: region {}, {} production line(s), pid {}", config->center.region,
               config->lines.size(), static_cast<long>(::getpid()));

  const int sig = signals.wait();
  spdlog::info("stopping: {}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  (*service)->stop();
  service->reset();
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}
