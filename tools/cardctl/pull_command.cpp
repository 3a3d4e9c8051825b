// cardctl pull --bureau URL --db PATH: pulls approved applications until
// caught up; the cursor lives in the database, so a re-run resumes.
// https:// with mutual TLS (--bureau-ca, --bureau-cert, --bureau-key);
// http:// only with --bureau-insecure-http (tests, local development).
#include <chrono>
#include <iostream>

#include "bureau_options.h"
#include "cardd/common/actor.h"
#include "cardd/server/puller.h"
#include "cli_support.h"
#include "commands.h"
#include "region_options.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct PullArgs {
  HsmOptions hsm;
  BureauArgs bureau;
  std::string db;
  int limit = 100;
  std::int64_t max_pages = 0;
  RegionOptions region;
};

int run_pull(const PullArgs& args) {
  auto client = args.bureau.client();
  if (!client) return 2;
  const auto region = args.region.load();
  if (!region) return 2;
  SealedStore sealed;
  if (const int rc = open_sealed_store(args.hsm, args.db, true, sealed); rc != 0) return rc;
  db::Store* store = sealed.store.get();
  intake::ValidatorOptions rules;
  rules.region = region->rules;
  server::Intake intake(*store, rules);
  server::PullOptions options;
  options.page_limit = args.limit;
  options.max_pages = args.max_pages;
  options.actor = local_actor("cardctl pull");
  const server::PullResult result = server::pull_approved(*client, intake, *store, options);
  std::cout << "pulled " << result.pages << " page(s): " << result.summary.describe() << "\n";
  if (!result.status) {
    std::cerr << "cardctl: pull stopped: " << result.status.error().describe()
              << "; what was stored is kept, run again to resume\n";
    return 1;
  }
  std::cout << (result.caught_up ? "caught up" : "stopped after --max-pages; run again to continue")
            << "\n";
  return 0;
}

}  // namespace

void add_pull_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PullArgs>();
  auto* cmd =
      app.add_subcommand("pull", "Pull approved applications from the bureau until caught up");
  args->bureau.add_to(*cmd);
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  args->region.add_to(*cmd);
  cmd->add_option("--limit", args->limit, "applications per page")->check(CLI::Range(1, 1000));
  cmd->add_option("--max-pages", args->max_pages,
                  "stop after this many pages (0: until caught up)");
  args->hsm.add_to(*cmd);
  cmd->callback([args, &exit_code] { exit_code = run_pull(*args); });
}

}  // namespace cardd::cardctl
