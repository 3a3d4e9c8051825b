// bureau-sim: a stand-in for a region's HRSS bureau API on localhost.
// Prints "listening on ADDRESS:PORT" once it accepts connections; stops
// cleanly on SIGTERM or SIGINT, printing what status messages it received. See sim_handlers.h for
// the API.
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
  TlsServerFiles tls;
  std::string sign_key;
  std::string page_fault = "none";

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
  app.add_option("--tls-cert", tls.certificate_file,
                 "serve HTTPS with this certificate chain (PEM); plain HTTP without it");
  app.add_option("--tls-key", tls.key_file, "private key of --tls-cert (PEM)");
  app.add_option("--client-ca", tls.client_ca_file,
                 "require a client certificate issued by this CA (PEM)");
  app.add_option("--sign-key", sign_key,
                 "sign pages with this Ed25519 private key (PEM): header X-Bureau-Signature");
  app.add_option("--page-fault", page_fault,
                 "spoil non-empty pages (tests): none, stuck-cursor, rewinding-cursor, "
                 "oversized-cursor, oversized-body")
      ->check(CLI::IsMember(
          {"none", "stuck-cursor", "rewinding-cursor", "oversized-cursor", "oversized-body"}));
  app.add_option("--fault-bytes", bureau.fault_bytes,
                 "size of the oversized cursor or body of --page-fault")
      ->default_val(32u * 1024u * 1024u)
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
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
  bureau.page_fault = page_fault == "stuck-cursor"       ? PageFault::stuck_cursor
                      : page_fault == "rewinding-cursor" ? PageFault::rewinding_cursor
                      : page_fault == "oversized-cursor" ? PageFault::oversized_cursor
                      : page_fault == "oversized-body"   ? PageFault::oversized_body
                                                         : PageFault::none;
  std::string error;
  if (tls.certificate_file.empty() != tls.key_file.empty() ||
      (tls.certificate_file.empty() && !tls.client_ca_file.empty())) {
    std::cerr << "bureau-sim: --tls-cert and --tls-key go together (and --client-ca needs them)\n";
    return 2;
  }
  if (!tls.certificate_file.empty()) {
    server.tls = make_tls_server_context(tls, error);
    if (!server.tls) {
      std::cerr << "bureau-sim: " << error << "\n";
      return 2;
    }
  }
  if (!sign_key.empty()) {
    bureau.signer = PageSigner::load(sign_key, error);
    if (!bureau.signer) {
      std::cerr << "bureau-sim: " << error << "\n";
      return 2;
    }
  }

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
      "timeout rate {}, {}{}",
      bureau.count, bureau.seed, bureau.invalid_rate, fail_rate, timeout_rate,
      server.tls ? "HTTPS" : "plain HTTP",
      tls.client_ca_file.empty() ? "" : " (client certificates required)");
  std::cout << "listening on " << server.bind << ":" << port << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  sim.stop();
  std::cout << state.status_summary() << std::endl;
  return 0;
}
