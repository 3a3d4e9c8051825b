// cardctl keys init-storage --db PATH [--rotate] + HSM options: creates the
// keys that seal personal data at rest (server/hsm_sealer.h) and the key that
// MACs the audit log (server/hsm_audit_signer.h), audited, and shows their
// names and KCVs. Part of the key ceremony: nothing creates them silently.
// With --rotate, new versions seal and MAC what is written from now on.
// Opening the database afterwards seals what an older cardd kept in the
// clear and MACs its SHA-256 audit chain.
#include <fmt/format.h>

#include <iostream>

#include "cardd/common/actor.h"
#include "cardd/server/hsm_audit_signer.h"
#include "cardd/server/hsm_sealer.h"
#include "cli_support.h"
#include "commands.h"
#include "hsm_options.h"
#include "sealed_store.h"

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
  SealedStore opened;
  opened.hsm = args.hsm.open();
  if (!opened.hsm) return 1;
  hsm::Hsm& h = *opened.hsm;
  auto made = server::create_storage_keys(h, args.rotate);
  if (!made && made.error().code != hsm::HsmError::key_exists) {
    std::cerr << "cardctl: " << made.error().describe() << "\n";
    return 1;
  }
  auto audit_key = server::create_audit_key(h, args.rotate);
  if (!audit_key && audit_key.error().code != hsm::HsmError::key_exists) {
    std::cerr << "cardctl: " << audit_key.error().describe() << "\n";
    return 1;
  }
  std::vector<hsm::KeyInfo> created = made ? std::move(*made) : std::vector<hsm::KeyInfo>{};
  if (audit_key) created.push_back(*audit_key);
  // Opening with the keys also seals what an older cardd left in the clear
  // and MACs its audit chain.
  if (const int rc = open_store_with_keys(args.db, true, true, opened); rc != 0) return rc;
  const auto version = opened.sealer->key_version();
  std::cout << fmt::format("storage keys (version {}), audit key (version {}):\n", version,
                           opened.signer->key_version());
  for (const auto& name :
       {server::storage_key_name("enc", version), server::storage_key_name("mac", version),
        std::string(server::kLookupKey), server::audit_key_name(opened.signer->key_version())}) {
    const bool is_new = std::any_of(created.begin(), created.end(),
                                    [&](const hsm::KeyInfo& k) { return k.spec.name == name; });
    if (auto info = h.info(name); info && !is_new) show(*info, "exists already");
  }
  const std::string actor = local_actor("cardctl keys init-storage");
  for (const auto& k : created) {
    show(k, "created");
    if (auto s = opened.store->audit(
            actor, "keys.generate", k.spec.name,
            fmt::format("{} key, kcv={}",
                        k.spec.name.starts_with("cardd.audit") ? "audit" : "storage", k.kcv));
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
      "Create the HSM keys that seal personal data at rest and MAC the audit log (or, with "
      "--rotate, new versions)");
  cmd->add_option("--db", args->db, "database whose audit log records the keys")->required();
  cmd->add_flag("--rotate", args->rotate, "create the next key versions");
  args->hsm.add_to(*cmd, true);
  cmd->callback([args, &exit_code] { exit_code = run_init_storage(*args); });
}

}  // namespace cardd::cardctl
