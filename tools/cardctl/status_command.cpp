// cardctl status APPLICATION_ID --db PATH [--json]: state and full history.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "commands.h"

namespace cardd::cardctl {
namespace {

struct StatusArgs {
  std::string id;
  std::string db;
  bool json = false;
};

nlohmann::json to_json(const db::ApplicationStatus& s) {
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : s.history) {
    history.push_back({{"seq", e.seq},
                       {"from", e.from ? nlohmann::json(db::to_string(*e.from)) : nlohmann::json()},
                       {"to", db::to_string(e.to)},
                       {"at", e.at},
                       {"actor", e.actor},
                       {"reason", e.reason}});
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& r : s.rejection)
    errors.push_back({{"field", r.field}, {"code", r.code}, {"message", r.message}});
  return {{"application_id", s.application_id},
          {"state", db::to_string(s.state)},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at},
          {"errors", errors},
          {"history", history}};
}

int run_status(const StatusArgs& args) {
  int rc = 0;
  auto store = open_store(args.db, OpenStore{}, rc);
  if (!store) return rc;
  auto status = store->status(args.id);
  if (!status) {
    std::cerr << "cardctl: " << status.error().describe() << "\n";
    return 1;
  }
  const nlohmann::json j = to_json(*status);
  if (args.json) {
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::cout << fmt::format("{}  {}  (received {}, last change {})\n", status->application_id,
                           db::to_string(status->state), status->created_at, status->updated_at);
  for (const auto& e : status->history)
    std::cout << fmt::format("  {}  {:>16} -> {:<16} by {}{}\n", e.at,
                             e.from ? db::to_string(*e.from) : "", db::to_string(e.to), e.actor,
                             e.reason.empty() ? "" : "  (" + e.reason + ")");
  for (const auto& r : status->rejection)
    std::cout << "  rejected: " << r.field << ": " << r.code << ": " << r.message << "\n";
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<StatusArgs>();
  auto* cmd = app.add_subcommand("status", "Show an application's state and full history");
  cmd->add_option("application_id", args->id, "the bureau's application id")->required();
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_flag("--json", args->json, "machine-readable output");
  cmd->callback([args, &exit_code] { exit_code = run_status(*args); });
}

}  // namespace cardd::cardctl
