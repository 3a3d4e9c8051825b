// bureau-sim: a stand-in for a region's HRSS bureau API on localhost.
// Prints "listening on ADDRESS:PORT" once it accepts connections; stops
// cleanly on SIGTERM or SIGINT. See sim_handlers.h for the API.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "cardd/common/logging.h"
#include "cardd/region/search_path.h"
#include "cardd/testdata/region_places.h"
#include "sim_handlers.h"
#include "sim_server.h"

int main(int argc, char** argv) {
  using namespace cardd::bureau_sim;
  BureauOptions bureau;
  ServerOptions server;
  double fail_rate = 0.0;
  double timeout_rate = 0.0;
  long long hang_ms = 5000;
  std::string log_level = "info";

  std::string region_name{cardd::region::kDefaultRegion};
  std::vector<std::string> profile_dirs;

  CLI::App app{"Simulator of a region's HRSS bureau API (approved applications, status pushes)"};
  app.add_option("--region", region_name, "region whose applications are served")
      ->capture_default_str();
  app.add_option("--profile-dir", profile_dirs,
                 "folder of region profiles searched first (then $CARDD_PROFILE_PATH, then "
                 "<bin>/../share/cardd/profiles)");
  app.add_option("--port", server.port, "TCP port; 0 picks a free one")->default_val(0);
  app.add_option("--bind", server.bind, "address to listen on")->default_val("127.0.0.1");
  app.add_option("--count", bureau.count, "applications 0..N-1 are approved")->default_val(100);
  app.add_option("--seed", bureau.seed, "generator seed")->default_val(1);
  app.add_option("--invalid-rate", bureau.invalid_rate, "share of invalid applications")
      ->default_val(0.0)
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fail-rate", fail_rate, "share of API requests answered with HTTP 500")
      ->default_val(0.0)
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--timeout-rate", timeout_rate,
                 "share of API requests held unanswered for --hang-ms, then closed")
      ->default_val(0.0)
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--hang-ms", hang_ms, "how long a timed-out request is held")
      ->default_val(5000)
      ->check(CLI::Range(0LL, 3600LL * 1000));
  app.add_option("--max-limit", bureau.max_limit, "largest page size")
      ->default_val(500)
      ->check(CLI::Range(1, 1000000));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")->default_val("info");
  CLI11_PARSE(app, argc, argv);

  cardd::configure_logging(log_level);
  auto region = cardd::region::SearchPath::standard(profile_dirs).find(region_name);
  if (!region) {
    std::cerr << "bureau-sim: " << region.error().describe() << "\n";
    return 2;
  }
  auto places = cardd::testdata::load_region_places(*region);
  if (!places) {
    std::cerr << "bureau-sim: " << places.error().describe() << "\n";
    return 2;
  }
  bureau.places = std::make_shared<const cardd::testdata::RegionPlaces>(std::move(*places));
  server.hang = std::chrono::milliseconds(hang_ms);

  // Every thread started from here on inherits the blocked mask, so the
  // signals are delivered only to the sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Bureau state(bureau);
  FaultPlan faults(bureau.seed, fail_rate, timeout_rate);
  SimServer sim(state, faults, server);
  std::error_code ec;
  const std::uint16_t port = sim.listen(ec);
  if (ec) {
    std::cerr << "bureau-sim: cannot listen on " << server.bind << ":" << server.port << ": "
              << ec.message() << "\n";
    return 1;
  }
  sim.start();
  spdlog::info(
      "bureau-sim: {} approved applications, seed {}, invalid rate {}, fail rate {}, "
      "timeout rate {}",
      bureau.count, bureau.seed, bureau.invalid_rate, fail_rate, timeout_rate);
  std::cout << "listening on " << server.bind << ":" << port << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  sim.stop();
  return 0;
}
