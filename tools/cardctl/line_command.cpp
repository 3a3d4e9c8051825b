// cardctl line pause|resume LINE [--slot PATTERN], cardctl line status:
// the operator's pause flags of the production lines, kept in the shared
// database (db::LineControlRepository) so that they reach a running cardd on
// any host within about a second. With --config (cardd's own file) the
// database and HSM come from it and line and slot names are checked against
// its lines; with --db any line name is accepted (nothing to check against).
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cardd/common/actor.h"
#include "cardd/common/civil_time.h"
#include "center_options.h"
#include "cli_support.h"
#include "commands.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct LineArgs {
  CenterOptions center;
  std::string line;
  std::string slot;
};

// 0 when the configuration has the line (and slot); else says which exist.
int check_name(const server::ServiceConfig& config, const std::string& line,
               const std::string& slot) {
  std::string names;
  for (const server::LineConfig& l : config.lines) {
    names += (names.empty() ? "" : ", ") + l.name;
    if (l.name != line) continue;
    if (slot.empty()) return 0;
    std::string slots;
    for (const std::string& s : l.slots) {
      if (s == slot) return 0;
      slots += fmt::format("{}'{}'", slots.empty() ? "" : ", ", s);
    }
    std::cerr << fmt::format("cardctl: line {} has no slot '{}' (its slots: {})\n", line, slot,
                             slots);
    return 2;
  }
  std::cerr << fmt::format("cardctl: no line '{}' in the configuration (lines: {})\n", line,
                           names.empty() ? "none" : names);
  return 2;
}

int run_set(const LineArgs& a, bool pause) {
  Center where;
  if (const int rc = locate(a.center, "line", where); rc != 0) return rc;
  if (where.config) {
    if (const int rc = check_name(*where.config, a.line, a.slot); rc != 0) return rc;
  }
  SealedStore opened;  // the audit key MACs the change's audit entry
  if (const int rc = open_audited_store(where.hsm, where.db, false, opened); rc != 0) return rc;
  if (auto s = opened.store->set_paused(a.line, a.slot, pause, local_actor("cardctl line")); !s) {
    std::cerr << "cardctl: " << s.error().describe() << "\n";
    return 1;
  }
  const std::string what = a.slot.empty() ? fmt::format("line {}", a.line)
                                          : fmt::format("line {} slot '{}'", a.line, a.slot);
  std::cout << fmt::format("{}: {}{}\n", what, pause ? "paused" : "resumed",
                           pause ? " (the card in hand is finished first)" : "");
  if (!where.config)
    std::cout << "(line name not checked: give --config to check it against cardd's lines)\n";
  return 0;
}

std::string age(const std::string& at) {
  auto t = parse_rfc3339(at);
  if (!t) return at;
  return fmt::format("{} s ago", unix_now() - *t);
}

int run_status(const LineArgs& a) {
  Center where;
  if (const int rc = locate(a.center, "line", where); rc != 0) return rc;
  int rc = 0;
  auto store = open_store(where.db, OpenStore{}, rc);
  if (!store) return rc;
  auto controls = store->line_controls();
  auto reports = store->slot_reports();
  if (!controls || !reports) {
    std::cerr << "cardctl: "
              << (controls ? reports.error().describe() : controls.error().describe()) << "\n";
    return 1;
  }
  // The configured slots, else every slot the database knows of.
  std::vector<std::pair<std::string, std::string>> slots;
  const auto add = [&](const std::string& line, const std::string& slot) {
    if (std::find(slots.begin(), slots.end(), std::pair{line, slot}) == slots.end())
      slots.emplace_back(line, slot);
  };
  if (where.config) {
    for (const auto& l : where.config->lines)
      for (const auto& s : l.slots) add(l.name, s);
  } else {
    for (const auto& r : *reports) add(r.line, r.slot);
    for (const auto& c : *controls)
      if (!c.slot.empty()) add(c.line, c.slot);
    for (const auto& c : *controls)
      if (c.slot.empty() && std::none_of(slots.begin(), slots.end(),
                                         [&](const auto& s) { return s.first == c.line; }))
        add(c.line, "");
  }
  std::cout << fmt::format("{:<12} {:<22} {:<7} {}\n", "line", "slot", "paused", "daemon");
  for (const auto& [line, slot] : slots) {
    std::string why;
    for (const auto& c : *controls)
      if (c.paused && c.line == line && (c.slot.empty() || c.slot == slot))
        why = fmt::format("yes ({} by {} at {})", c.slot.empty() ? "line" : "slot", c.changed_by,
                          c.changed_at);
    std::string daemon = "-";
    for (const auto& r : *reports)
      if (r.line == line && r.slot == slot)
        daemon = fmt::format("{}{}, {} made, {} spoiled, reader {} ({}, {})", r.activity,
                             r.application.empty() ? "" : " " + r.application, r.made, r.spoiled,
                             r.reader.empty() ? "none" : r.reader, r.reporter, age(r.reported_at));
    std::cout << fmt::format("{:<12} {:<22} {:<7} {}\n", line, slot.empty() ? "(all)" : slot,
                             why.empty() ? "no" : "yes", daemon);
    if (!why.empty()) std::cout << fmt::format("{:<12} {:<22} {}\n", "", "", why.substr(4));
  }
  return 0;
}

}  // namespace

void add_line_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LineArgs>();
  auto* cmd = app.add_subcommand("line", "Pause, resume and show cardd's production lines");
  cmd->require_subcommand(1);
  cmd->fallthrough();  // "line pause X --config F": the options belong to line
  args->center.add_to(*cmd);
  for (const bool pause : {true, false}) {
    auto* sub = cmd->add_subcommand(pause ? "pause" : "resume",
                                    pause ? "Pause a line or one slot: the card in hand is "
                                            "finished, no new one is taken"
                                          : "Resume a line (all its slots) or one slot");
    sub->add_option("line", args->line, "line name")->required();
    sub->add_option("--slot", args->slot, "one slot: its reader-name pattern");
    sub->callback([args, pause, &exit_code] { exit_code = run_set(*args, pause); });
  }
  cmd->add_subcommand("status", "Paused or not, and what the daemon last reported, per slot")
      ->callback([args, &exit_code] { exit_code = run_status(*args); });
}

}  // namespace cardd::cardctl
