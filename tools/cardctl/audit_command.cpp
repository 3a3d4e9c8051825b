// cardctl audit verify --db PATH [--json] + HSM options: checks every audit
// entry's MAC under the HSM's audit key, the sequence, and the end of the log
// against the anchored head. Exit 0 when intact, 1 when broken (naming the
// first broken entry and why) or when it cannot be checked.
#include "audit_command.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "json_errors.h"
#include "sealed_store.h"

namespace cardd::cardctl {

std::string describe_audit(const db::AuditReport& r) {
  if (r.intact)
    return r.entries == 0 ? "intact (0 entries)"
                          : fmt::format("intact ({} entries); head anchored at entry {}", r.entries,
                                        r.head_seq);
  return fmt::format("BROKEN at entry {}: {}", r.first_broken_seq, r.why);
}

namespace {

struct VerifyArgs {
  HsmOptions hsm;
  std::string db;
  bool json = false;
};

int run_verify(const VerifyArgs& args) {
  SealedStore opened;
  if (const int rc = open_audited_store(args.hsm, args.db, false, opened); rc != 0) return rc;
  auto report = opened.store->verify_audit_chain();
  if (!report) {
    std::cerr << "cardctl: cannot verify the audit log: " << report.error().describe() << "\n";
    return 1;
  }
  if (args.json) {
    const nlohmann::json out = {
        {"intact", report->intact},
        {"entries", report->entries},
        {"first_broken_seq",
         report->intact ? nlohmann::json() : nlohmann::json(report->first_broken_seq)},
        {"fault", db::to_string(report->fault)},
        {"why", report->why},
        {"head", {{"seq", report->head_seq}, {"mac", report->head_mac}}}};
    std::cout << out.dump() << "\n";
    if (!report->intact) mark_answered_in_json();
  } else {
    std::cout << "audit chain: " << describe_audit(*report) << "\n";
    if (report->intact && report->head_seq > 0)
      std::cout << fmt::format("head: entry {} mac {}\n", report->head_seq, report->head_mac);
  }
  return report->intact ? 0 : 1;
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  auto* audit = app.add_subcommand("audit", "The MACed audit log");
  audit->require_subcommand(1);
  auto args = std::make_shared<VerifyArgs>();
  auto* verify = audit->add_subcommand(
      "verify",
      "Check every entry's MAC and the anchored head; exit 1 when anything was edited, "
      "removed or cut off the end");
  verify->add_option("--db", args->db, "SQLite database file")->required();
  verify->add_flag("--json", args->json, "machine-readable output");
  args->hsm.add_to(*verify);
  verify->callback([args, &exit_code] { exit_code = run_verify(*args); });
}

}  // namespace cardd::cardctl
