// cardctl status APPLICATION_ID --db PATH [--json]: state, full history and,
// for mail, the pack and the tracking number.
// cardctl list --db PATH --state STATE [--collection mail|branch] [--limit N]:
// the applications in a state, longest waiting first, with their branch or
// tracking number (what a courier desk or branch counter works through).
#include <fmt/format.h>

#include <iostream>

#include "cli_support.h"
#include "commands.h"

namespace cardd::cardctl {
namespace {

struct StatusArgs {
  std::string id;
  std::string db;
  bool json = false;
};

int run_status(const StatusArgs& args) {
  int rc = 0;
  auto store = open_store(args.db, OpenStore{}, rc);
  if (!store) return rc;
  if (args.json) {
    auto document = store->application_document(args.id);
    if (!document) {
      std::cerr << "cardctl: " << document.error().describe() << "\n";
      return 1;
    }
    std::cout << *document << "\n";
    return 0;
  }
  auto status = store->status(args.id);
  if (!status) {
    std::cerr << "cardctl: " << status.error().describe() << "\n";
    return 1;
  }
  auto shipment = store->shipment(args.id);
  if (!shipment) {
    std::cerr << "cardctl: " << shipment.error().describe() << "\n";
    return 1;
  }
  std::cout << fmt::format("{}  {}  (received {}, last change {})\n", status->application_id,
                           db::to_string(status->state), status->created_at, status->updated_at);
  for (const auto& e : status->history)
    std::cout << fmt::format("  {}  {:>16} -> {:<16} by {}{}\n", e.at,
                             e.from ? db::to_string(*e.from) : "", db::to_string(e.to), e.actor,
                             e.reason.empty() ? "" : "  (" + e.reason + ")");
  if (const auto& p = *shipment)
    std::cout << fmt::format(
        "  pack {} (postal area {}){}\n", p->pack_id, p->postal_area,
        p->tracking_number.empty() ? "" : fmt::format(", {} {}", p->courier, p->tracking_number));
  for (const auto& r : status->rejection)
    std::cout << "  rejected: " << r.field << ": " << r.code << ": " << r.message << "\n";
  return 0;
}

struct ListArgs {
  std::string db;
  std::string state;
  std::string collection = "mail";
  std::int64_t limit = 100;
};

int run_list(const ListArgs& args) {
  const auto state = db::state_from_string(args.state);
  const auto collection = collection_from_string(args.collection);
  if (!state || !collection) {
    std::cerr << "cardctl: unknown "
              << (state ? "collection " + args.collection : "state " + args.state) << "\n";
    return 2;
  }
  int rc = 0;
  auto store = open_store(args.db, OpenStore{}, rc);
  if (!store) return rc;
  auto waiting = store->waiting(*state, *collection, args.limit);
  if (!waiting) {
    std::cerr << "cardctl: " << waiting.error().describe() << "\n";
    return 1;
  }
  for (const auto& w : *waiting) {
    auto shipment = store->shipment(w.application_id);
    if (!shipment) {
      std::cerr << "cardctl: " << shipment.error().describe() << "\n";
      return 1;
    }
    const std::string tracking = *shipment ? (*shipment)->tracking_number : "";
    std::cout << fmt::format("{}  branch {}{}\n", w.application_id, w.issuing_branch,
                             tracking.empty() ? "" : "  tracking " + tracking);
  }
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

  auto list = std::make_shared<ListArgs>();
  auto* l = app.add_subcommand("list", "Applications in one state, longest waiting first");
  l->add_option("--db", list->db, "SQLite database file")->required();
  l->add_option("--state", list->state, "e.g. SHIPPED, DISPATCHED, READY_FOR_PICKUP")->required();
  l->add_option("--collection", list->collection, "mail | branch")->capture_default_str();
  l->add_option("--limit", list->limit, "at most this many")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  l->callback([list, &exit_code] { exit_code = run_list(*list); });
}

}  // namespace cardd::cardctl
