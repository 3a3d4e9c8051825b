// cardctl report --db PATH + HSM options: applications by state, outbox
// backlog, the audit log's integrity (as `audit verify` checks it, so the
// audit key is needed) and the database's — the operator's one-look summary.
#include <fmt/format.h>

#include <iostream>

#include "audit_command.h"
#include "commands.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct ReportArgs {
  HsmOptions hsm;
  std::string db;
};

int run_report(const ReportArgs& args) {
  SealedStore opened;
  if (const int rc = open_audited_store(args.hsm, args.db, false, opened); rc != 0) return rc;
  db::Store& store = *opened.store;
  auto counts = store.count_by_state();
  auto outbox = store.outbox_backlog();
  auto audit = store.verify_audit_chain();
  auto integrity = store.quick_check();
  if (!counts || !outbox || !audit || !integrity) {
    std::cerr << "cardctl: cannot read " << args.db << "\n";
    return 1;
  }
  std::int64_t total = 0;
  for (const auto& [state, n] : *counts) total += n;
  std::cout << fmt::format("applications: {}\n", total);
  for (const auto& [state, n] : *counts)
    std::cout << fmt::format("  {:<18} {:>8}\n", db::to_string(state), n);
  std::cout << fmt::format("status changes waiting to be reported: {}\n", *outbox);
  std::cout << fmt::format("audit chain: {}\n", describe_audit(*audit));
  const bool sound = *integrity == "ok";
  std::cout << fmt::format("database integrity (quick_check): {}\n", *integrity);
  return audit->intact && sound ? 0 : 1;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report", "Applications by state, outbox backlog, audit log and integrity check");
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  args->hsm.add_to(*cmd);
  cmd->callback([args, &exit_code] { exit_code = run_report(*args); });
}

}  // namespace cardd::cardctl
