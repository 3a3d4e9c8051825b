// cardctl keys init-storage --db PATH [--rotate] + HSM options: creates the
// keys that seal personal data at rest (server/hsm_sealer.h), audited, and
// shows their names and KCVs. Part of the key ceremony: nothing creates
// them silently. With --rotate, a new key version seals what is stored from
// now on. Opening the database afterwards seals what an older cardd kept in
// the clear.
#include <fmt/format.h>

#include <iostream>

#include "cardd/server/hsm_sealer.h"
#include "cli_support.h"
#include "commands.h"
#include "hsm_options.h"

namespace cardd::cardctl {
namespace {

struct StorageArgs {
  HsmOptions hsm;
  std::string db;
  bool rotate = false;
};

void show(const hsm::KeyInfo& k, std::string_view what) {
  std::cout << fmt::format("  {:<24} {:<7} {:<16} kcv {}  {}\n", k.spec.name,
                           hsm::to_string(k.spec.algorithm), k.spec.usage.to_string(), k.kcv, what);
}

int run_init_storage(const StorageArgs& args) {
  auto h = args.hsm.open();
  if (!h) return 1;
  auto made = server::create_storage_keys(*h, args.rotate);
  if (!made && made.error().code != hsm::HsmError::key_exists) {
    std::cerr << "cardctl: " << made.error().describe() << "\n";
    return 1;
  }
  auto sealer = server::HsmSealer::open(*h);
  if (!sealer) {
    std::cerr << "cardctl: " << sealer.error().describe() << "\n";
    return 1;
  }
  // Opening with the sealer also seals what an older cardd left in the clear.
  int rc = 0;
  auto store = open_store(args.db, OpenStore{true, sealer->get()}, rc);
  if (!store) return rc;
  std::cout << fmt::format("storage keys (version {}):\n", (*sealer)->key_version());
  if (!made) {
    for (const auto& name : {server::storage_key_name("enc", (*sealer)->key_version()),
                             server::storage_key_name("mac", (*sealer)->key_version()),
                             std::string(server::kLookupKey)})
      if (auto info = h->info(name)) show(*info, "exists already");
    return 0;
  }
  for (const auto& k : *made) {
    show(k, "created");
    if (auto s = store->audit("cardctl", "keys.generate", k.spec.name,
                              fmt::format("storage key, kcv={}", k.kcv));
        !s) {
      std::cerr << "cardctl: the key was created but the audit entry failed: "
                << s.error().describe() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

void add_keys_storage_command(CLI::App& app, int& exit_code) {
  CLI::App* keys = app.get_subcommand("keys");
  auto args = std::make_shared<StorageArgs>();
  auto* cmd = keys->add_subcommand(
      "init-storage",
      "Create the HSM keys that seal personal data at rest (or, with --rotate, a new version)");
  cmd->add_option("--db", args->db, "database whose audit log records the keys")->required();
  cmd->add_flag("--rotate", args->rotate, "create the next key version");
  args->hsm.add_to(*cmd, true);
  cmd->callback([args, &exit_code] { exit_code = run_init_storage(*args); });
}

}  // namespace cardd::cardctl
