// cardctl purge --db PATH [--days N] [--dry-run]: deletes the photo and
// ID-card images of cards delivered or collected N days ago or more (0:
// every delivered or collected card), each deletion audited; what the daemon
// does daily ([retention] image_days).
#include <fmt/format.h>

#include <iostream>

#include "cardd/common/actor.h"
#include "cardd/server/retention.h"
#include "commands.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct PurgeArgs {
  HsmOptions hsm;  // the audit key MACs each deletion's audit entry
  std::string db;
  std::int64_t days = 0;
  bool dry_run = false;
};

int run_purge(const PurgeArgs& a) {
  SealedStore opened;
  if (const int rc = open_audited_store(a.hsm, a.db, false, opened); rc != 0) return rc;
  const server::RetentionRun run{a.days, local_actor("cardctl purge"), unix_now(), a.dry_run};
  auto purged = server::purge_expired_images(*opened.store, run);
  if (!purged) {
    std::cerr << "cardctl: " << purged.error().describe() << "\n";
    return 1;
  }
  std::cout << fmt::format("{} {} card{} delivered or collected {} day{} ago or more{}\n",
                           a.dry_run ? "would delete the images of" : "deleted the images of",
                           purged->size(), purged->size() == 1 ? "" : "s", a.days,
                           a.days == 1 ? "" : "s", a.dry_run ? " (dry run: nothing changed)" : "");
  for (const auto& id : *purged) std::cout << "  " << id << "\n";
  return 0;
}

}  // namespace

void add_purge_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PurgeArgs>();
  auto* cmd = app.add_subcommand(
      "purge",
      "Delete the photo and ID-card images of cards delivered or collected long enough ago");
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_option("--days", args->days, "days after delivery or collection (default 0)")
      ->check(CLI::Range(0, 3650));
  cmd->add_flag("--dry-run", args->dry_run, "only list the cards whose images would go");
  args->hsm.add_to(*cmd);
  cmd->callback([args, &exit_code] { exit_code = run_purge(*args); });
}

}  // namespace cardd::cardctl
