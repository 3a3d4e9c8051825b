// cardctl report --db PATH + HSM options: applications by state, how far they
// got, spoiled cards by reason, the blank-card reconciliation, outbox
// backlog, the audit log's integrity (as `audit verify` checks it, so the
// audit key is needed) and the database's — the operator's one-look summary.
// Exit 1 when the audit chain, the database or the stock does not add up.
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

std::int64_t count_of(const std::map<db::AppState, std::int64_t>& counts, db::AppState s) {
  const auto it = counts.find(s);
  return it == counts.end() ? 0 : it->second;
}

// Where every application got to, counted from its history.
std::string journey(std::int64_t received, const std::map<db::AppState, std::int64_t>& reached) {
  using S = db::AppState;
  std::string out = fmt::format("journey: received {}", received);
  for (const auto& [label, state] : {std::pair{"rejected", S::rejected},
                                     {"issued", S::qc_passed},
                                     {"shipped", S::shipped},
                                     {"delivered", S::delivered},
                                     {"returned", S::returned},
                                     {"dispatched", S::dispatched},
                                     {"ready for pickup", S::ready_for_pickup},
                                     {"collected", S::collected}})
    out += fmt::format(", {} {}", label, count_of(reached, state));
  return out;
}

std::string spoils(const std::map<std::string, std::int64_t>& by_reason) {
  std::int64_t total = 0;
  std::string reasons;
  for (const auto& [reason, n] : by_reason) {
    total += n;
    reasons +=
        fmt::format("{}{} {}", reasons.empty() ? "" : ", ", reason.empty() ? "?" : reason, n);
  }
  return fmt::format("cards spoiled: {}{}", total, reasons.empty() ? "" : " (" + reasons + ")");
}

// Every blank card is accounted for, and every good card belongs to exactly
// one application that got past encoding.
std::string stock_line(const std::vector<db::StockLine>& lots,
                       const std::map<db::AppState, std::int64_t>& counts, bool& reconciled) {
  db::StockLine sum;
  for (const auto& lot : lots) {
    sum.received += lot.received;
    sum.used += lot.used;
    sum.spoiled += lot.spoiled;
    sum.in_progress += lot.in_progress;
    sum.left += lot.left;
  }
  std::int64_t past_encoding = 0;
  for (const auto& [state, n] : counts)
    if (state >= db::AppState::encoded) past_encoding += n;
  reconciled = sum.left >= 0 &&
               sum.received == sum.used + sum.spoiled + sum.in_progress + sum.left &&
               sum.used == past_encoding;
  return fmt::format(
      "blank cards: received {} = used {} + spoiled {} + in progress {} + left {}; "
      "good cards {} for {} applications past encoding: {}",
      sum.received, sum.used, sum.spoiled, sum.in_progress, sum.left, sum.used, past_encoding,
      reconciled ? "reconciled" : "NOT RECONCILED");
}

int run_report(const ReportArgs& args) {
  SealedStore opened;
  if (const int rc = open_audited_store(args.hsm, args.db, false, opened); rc != 0) return rc;
  db::Store& store = *opened.store;
  auto counts = store.count_by_state();
  auto reached = store.count_reached();
  auto spoiled = store.spoiled_by_reason();
  auto retired = store.retired_numbers();
  auto lots = store.stock();
  auto outbox = store.outbox_backlog();
  auto changes = store.outbox_total();
  auto audit = store.verify_audit_chain();
  auto integrity = store.quick_check();
  if (!counts || !reached || !spoiled || !retired || !lots || !outbox || !changes || !audit ||
      !integrity) {
    std::cerr << "cardctl: cannot read " << args.db << "\n";
    return 1;
  }
  std::int64_t total = 0;
  for (const auto& [state, n] : *counts) total += n;
  std::cout << fmt::format("applications: {}\n", total);
  for (const auto& [state, n] : *counts)
    std::cout << fmt::format("  {:<18} {:>8}\n", db::to_string(state), n);
  std::cout << journey(total, *reached) << "\n" << spoils(*spoiled) << "\n";
  // The bank blocks these: the cards that may hold them were not terminated.
  std::cout << fmt::format("retired card numbers (spoiled cards not terminated): {}\n",
                           retired->size());
  for (const auto& r : *retired)
    std::cout << fmt::format("  {} chip {} ({}, {}), application {}\n", r.card_number, r.chip_id,
                             r.reason, r.retired_at, r.application_id);
  bool reconciled = false;
  std::cout << stock_line(*lots, *counts, reconciled) << "\n";
  std::cout << fmt::format("status changes: {} recorded, {} waiting to be reported\n", *changes,
                           *outbox);
  std::cout << fmt::format("audit chain: {}\n", describe_audit(*audit));
  const bool sound = *integrity == "ok";
  std::cout << fmt::format("database integrity (quick_check): {}\n", *integrity);
  return audit->intact && sound && reconciled ? 0 : 1;
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
