// cardctl report --db PATH: applications by state, outbox backlog and the
// audit chain's integrity — the operator's one-look summary.
#include <fmt/format.h>

#include <iostream>

#include "cli_support.h"
#include "commands.h"

namespace cardd::cardctl {
namespace {

int run_report(const std::string& path) {
  int rc = 0;
  auto store = open_store(path, OpenStore{}, rc);
  if (!store) return rc;
  auto counts = store->count_by_state();
  auto outbox = store->outbox_backlog();
  auto audit = store->verify_audit_chain();
  auto integrity = store->quick_check();
  if (!counts || !outbox || !audit || !integrity) {
    std::cerr << "cardctl: cannot read " << path << "\n";
    return 1;
  }
  std::int64_t total = 0;
  for (const auto& [state, n] : *counts) total += n;
  std::cout << fmt::format("applications: {}\n", total);
  for (const auto& [state, n] : *counts)
    std::cout << fmt::format("  {:<18} {:>8}\n", db::to_string(state), n);
  std::cout << fmt::format("status changes waiting to be reported: {}\n", *outbox);
  std::cout << fmt::format(
      "audit chain: {} ({} entries)\n",
      audit->intact ? "intact" : fmt::format("BROKEN at entry {}", audit->first_broken_seq),
      audit->entries);
  const bool sound = *integrity == "ok";
  std::cout << fmt::format("database integrity (quick_check): {}\n", *integrity);
  return audit->intact && sound ? 0 : 1;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "report", "Applications by state, outbox backlog, audit chain and integrity check");
  cmd->add_option("--db", *path, "SQLite database file")->required();
  cmd->callback([path, &exit_code] { exit_code = run_report(*path); });
}

}  // namespace cardd::cardctl
