// cardctl push --bureau URL --db PATH: sends the status changes waiting in
// the outbox to the bureau, oldest first (server/status_pusher.h), until the
// backlog is empty or the bureau stops taking them.
#include <fmt/format.h>

#include <iostream>

#include "bureau_options.h"
#include "cardd/server/status_pusher.h"
#include "cli_support.h"
#include "commands.h"

namespace cardd::cardctl {
namespace {

struct PushArgs {
  BureauArgs bureau;
  std::string db;
  std::int64_t limit = 0;
};

int run_push(const PushArgs& args) {
  auto client = args.bureau.client();
  if (!client) return 2;
  int rc = 0;
  auto store = open_store(args.db, OpenStore{}, rc);
  if (!store) return rc;
  const server::PushReport report = server::push_outbox(*store, *client, args.limit);
  std::cout << fmt::format("sent {} status change(s); {} waiting\n", report.sent, report.backlog);
  if (!report.status) {
    std::cerr << "cardctl: push stopped: " << report.status.error().describe()
              << "; nothing lost, run again to resume\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_push_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PushArgs>();
  auto* cmd = app.add_subcommand("push", "Send the waiting status changes to the bureau");
  args->bureau.add_to(*cmd);
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_option("--limit", args->limit, "send at most this many (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args, &exit_code] { exit_code = run_push(*args); });
}

}  // namespace cardd::cardctl
