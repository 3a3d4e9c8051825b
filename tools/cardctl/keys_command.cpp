// cardctl keys …: key ceremony (rules in hsm::KeyCeremony), import under a
// transport key, generation, listing (never values) and the backend's
// capability report. Every key-management action is written to the audit log.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cardd/common/actor.h"
#include "cardd/common/hex.h"
#include "cardd/hsm/ceremony.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/server/region_profile.h"
#include "cli_support.h"
#include "commands.h"
#include "hsm_options.h"
#include "region_options.h"
#include "sealed_store.h"
#include "secret_input.h"

namespace cardd::cardctl {
namespace {

struct KeyArgs {
  HsmOptions hsm;
  std::string db;
  std::string name;
  std::string algorithm;
  std::string usage;
  std::uint32_t version = 1;
  bool exportable = false;
  std::string derives;
  bool derives_exportable = false;
};

std::optional<hsm::KeySpec> spec_of(const KeyArgs& a) {
  const auto alg = hsm::algorithm_from_string(a.algorithm);
  const auto usage = hsm::UsageSet::parse(a.usage);
  const auto derives = a.derives.empty() ? std::optional<hsm::UsageSet>(hsm::UsageSet{})
                                         : hsm::UsageSet::parse(a.derives);
  if (!alg) std::cerr << "cardctl: unknown algorithm " << a.algorithm << "\n";
  if (!usage || !derives)
    std::cerr << "cardctl: usages are a comma list of encrypt,decrypt,mac,derive,wrap,unwrap\n";
  if (!alg || !usage || !derives) return std::nullopt;
  return hsm::KeySpec{a.name,    *alg,         *usage,
                      a.version, a.exportable, {*derives, a.derives_exportable}};
}

void add_key_options(CLI::App& cmd, KeyArgs& a) {
  a.hsm.add_to(cmd, true);
  cmd.add_option("--db", a.db, "database whose audit log records the action")->required();
  cmd.add_option("--name", a.name, "key name")->required();
  cmd.add_option("--alg", a.algorithm, "3des-2key | 3des-3key | aes128 | aes192 | aes256 | sm4")
      ->required();
  cmd.add_option("--usage", a.usage,
                 "the key's one purpose: encrypt[,decrypt] | mac | derive | wrap | unwrap")
      ->required();
  cmd.add_option("--version", a.version, "key version");
  cmd.add_flag("--exportable", a.exportable,
               "may leave the HSM wrapped under a wrap key (cipher and MAC keys only)");
  cmd.add_option("--derives", a.derives,
                 "derive keys: the usages keys derived from it may have "
                 "(default encrypt,decrypt,mac,derive,wrap)");
  cmd.add_flag("--derives-exportable", a.derives_exportable,
               "derive keys: the keys derived from it may be exportable");
}

// Opens the HSM and the audit store, runs `action`, audits what it returns.
// Without the audit key nothing runs: an action that cannot be audited does
// not happen.
int with_hsm_and_audit(const KeyArgs& a, const std::string& action,
                       const std::function<Result<std::string>(hsm::Hsm&)>& run) {
  SealedStore opened;
  if (const int rc = open_audited_store(a.hsm, a.db, true, opened); rc != 0) return 1;
  db::Store* store = opened.store.get();
  auto detail = run(*opened.hsm);
  if (!detail) {
    std::cerr << "cardctl: " << detail.error().describe() << "\n";
    (void)store->audit(local_actor("cardctl keys"), action + ".refused", a.name,
                       detail.error().describe());
    return 1;
  }
  if (auto s = store->audit(local_actor("cardctl keys"), action, a.name, *detail); !s) {
    std::cerr << "cardctl: the key was changed but the audit entry failed: " << s.error().describe()
              << "\n";
    return 1;
  }
  return 0;
}

std::string describe(const hsm::KeyInfo& k) {
  return fmt::format("alg={} usage={} version={} kcv={}", hsm::to_string(k.spec.algorithm),
                     hsm::describe_policy(k.spec), k.spec.version, k.kcv);
}

struct CeremonyArgs : KeyArgs {
  int components = 2;
  std::vector<std::string> component_files;
};

// The component as typed (or read from its file); the caller wipes it.
Result<std::string> read_component(const CeremonyArgs& a, int index) {
  if (!a.component_files.empty()) {
    std::string text;
    std::ifstream in(a.component_files[static_cast<std::size_t>(index)]);
    if (!in || !std::getline(in, text))
      return make_error(hsm::HsmError::io, fmt::format("cannot read component file {}", index + 1));
    return text;
  }
  auto line = read_secret_line(
      fmt::format("component {} of {} (hex, not echoed): ", index + 1, a.components));
  if (!line)
    return make_error(hsm::HsmError::invalid_argument,
                      "input ended before every component was entered");
  return std::move(*line);
}

std::string_view audit_action(hsm::CeremonyStep step) {
  switch (step) {
    case hsm::CeremonyStep::component_accepted:
      return "keys.ceremony.component";
    case hsm::CeremonyStep::key_created:
      return "keys.ceremony";
    case hsm::CeremonyStep::refused:
      return "keys.ceremony.refused";
  }
  return "keys.ceremony";
}

// The rules and the audit trail are hsm::KeyCeremony's; this is the custodians' console.
int run_ceremony(const CeremonyArgs& a) {
  const auto spec = spec_of(a);
  if (!spec) return 2;
  if (!a.component_files.empty() &&
      a.component_files.size() != static_cast<std::size_t>(a.components)) {
    std::cerr << "cardctl: give one --component-file per component\n";
    return 2;
  }
  SealedStore opened;
  if (const int rc = open_audited_store(a.hsm, a.db, true, opened); rc != 0) return 1;
  db::Store* store = opened.store.get();
  hsm::Hsm* h = opened.hsm.get();
  // The custodians type their components at this console; the OS user who
  // runs it is the one the entries can name (the ceremony knows no names).
  const std::string actor = local_actor("cardctl keys ceremony");
  const auto fail = [](const Error& e) {
    std::cerr << "cardctl: " << e.describe() << "\n";
    return 1;
  };
  auto ceremony =
      hsm::KeyCeremony::begin(*h, *spec, a.components, [&](const hsm::CeremonyEvent& e) -> Status {
        return store->audit(actor, audit_action(e.step), e.spec.name, e.detail());
      });
  if (!ceremony) return fail(ceremony.error());
  for (int i = 0; i < a.components; ++i) {
    auto text = read_component(a, i);
    if (!text) {
      ceremony->abandon(text.error());
      return fail(text.error());
    }
    auto kcv = ceremony->add_component_hex(*text);
    std::fill(text->begin(), text->end(), '\0');
    if (!kcv) return fail(kcv.error());
    std::cout << fmt::format("component {} KCV: {}", i + 1, *kcv) << std::endl;
  }
  auto key = ceremony->finish();
  if (!key) return fail(key.error());
  std::cout << fmt::format("key {} KCV: {}", spec->name, key->kcv) << std::endl;
  return 0;
}

struct ImportArgs : KeyArgs {
  std::string wrapped;
  std::string under;
  std::string kcv;
};

int run_import_key(const ImportArgs& a) {
  const auto spec = spec_of(a);
  if (!spec) return 2;
  const auto wrapped = from_hex(a.wrapped);
  if (!wrapped) {
    std::cerr << "cardctl: --wrapped must be hex\n";
    return 2;
  }
  return with_hsm_and_audit(a, "keys.import", [&](hsm::Hsm& h) -> Result<std::string> {
    auto key = h.import_wrapped(*spec, *wrapped, a.under, a.kcv);
    if (!key) return key.error();
    std::cout << fmt::format("key {} imported under {}, KCV: {}", spec->name, a.under, key->kcv)
              << std::endl;
    return fmt::format("{} under={}", describe(*key), a.under);
  });
}

int run_generate(const KeyArgs& a) {
  const auto spec = spec_of(a);
  if (!spec) return 2;
  return with_hsm_and_audit(a, "keys.generate", [&](hsm::Hsm& h) -> Result<std::string> {
    auto key = h.generate(*spec);
    if (!key) return key.error();
    std::cout << fmt::format("key {} generated, KCV: {}", spec->name, key->kcv) << std::endl;
    return describe(*key);
  });
}

int run_list(const HsmOptions& options, bool json) {
  auto h = options.open();
  if (!h) return 1;
  auto keys = h->list();
  if (!keys) {
    std::cerr << "cardctl: " << keys.error().describe() << "\n";
    return 1;
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& k : *keys)
      out.push_back({{"name", k.spec.name},
                     {"algorithm", hsm::to_string(k.spec.algorithm)},
                     {"usage", k.spec.usage.to_string()},
                     {"exportable", k.spec.exportable},
                     {"policy", hsm::describe_policy(k.spec)},
                     {"version", k.spec.version},
                     {"kcv", k.kcv}});
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << fmt::format("{:<24} {:<10} {:<36} {:>7}  {}\n", "name", "algorithm", "policy",
                           "version", "KCV");
  for (const auto& k : *keys)
    std::cout << fmt::format("{:<24} {:<10} {:<36} {:>7}  {}\n", k.spec.name,
                             hsm::to_string(k.spec.algorithm), hsm::describe_policy(k.spec),
                             k.spec.version, k.kcv);
  return 0;
}

struct CapabilityArgs {
  HsmOptions hsm;
  RegionOptions region;
};

// What the region's card profile asks of the HSM, each with "yes" or
// "MISSING" for the configured backend: the list a production HSM must meet.
int print_profile_needs(const hsm::Hsm& h, const RegionOptions& options) {
  const auto region = options.load();
  if (!region) return 2;
  auto profile = server::load_region_profile(*region, "");
  if (!profile) {
    std::cerr << "cardctl: " << profile.error().describe() << "\n";
    return 2;
  }
  std::cout << fmt::format("\nthe {} card profile needs:\n", options.name);
  int missing = 0;
  for (const hsm::Requirement& need : personalization::hsm_requirements(*profile)) {
    const bool ok = h.unsupported(std::span(&need, 1)).empty();
    missing += ok ? 0 : 1;
    std::cout << fmt::format("  {:<10} {:<20} {}\n", hsm::to_string(need.algorithm), need.operation,
                             ok ? "yes" : "MISSING");
  }
  return missing == 0 ? 0 : 1;
}

int run_capabilities(const CapabilityArgs& args) {
  auto h = args.hsm.open();
  if (!h) return 1;
  const char* operations[] = {
      "generate",         "ecb",      "cbc",     "cmac", "retail_mac", "derive_encrypt_data",
      "derive_sp800_108", "wrap_ecb", "wrap_cbc"};
  std::cout << fmt::format("backend: {}\n{:<11}", h->backend(), "");
  for (const char* op : operations) std::cout << fmt::format(" {:<8.8}", op);
  std::cout << "\n";
  for (const auto alg :
       {hsm::Algorithm::des3_2key, hsm::Algorithm::des3_3key, hsm::Algorithm::aes128,
        hsm::Algorithm::aes192, hsm::Algorithm::aes256, hsm::Algorithm::sm4}) {
    std::cout << fmt::format("{:<11}", hsm::to_string(alg));
    for (const char* op : operations) {
      const hsm::Requirement need{alg, op};
      std::cout << fmt::format(" {:<8}", h->unsupported(std::span(&need, 1)).empty() ? "yes" : "-");
    }
    std::cout << "\n";
  }
  return print_profile_needs(*h, args.region);
}

}  // namespace

void add_keys_command(CLI::App& app, int& exit_code) {
  auto* keys = app.add_subcommand(
      "keys", "Key ceremony, import, generation and listing (values never shown)");
  keys->require_subcommand(1);

  auto ceremony = std::make_shared<CeremonyArgs>();
  auto* c = keys->add_subcommand("ceremony",
                                 "Combine 2 or 3 clear components into a key; shows every KCV");
  add_key_options(*c, *ceremony);
  c->add_option("--components", ceremony->components, "number of components")
      ->check(CLI::Range(2, 3));
  c->add_option("--component-file", ceremony->component_files,
                "read components from files (automation)");
  c->callback([ceremony, &exit_code] { exit_code = run_ceremony(*ceremony); });

  auto import = std::make_shared<ImportArgs>();
  auto* i = keys->add_subcommand("import", "Import a key encrypted (ECB) under a transport key");
  add_key_options(*i, *import);
  i->add_option("--wrapped", import->wrapped, "the encrypted key value, hex")->required();
  i->add_option("--under", import->under, "name of the transport key (ZMK)")->required();
  i->add_option("--kcv", import->kcv, "the KCV the sender gave for the key (required)")->required();
  i->callback([import, &exit_code] { exit_code = run_import_key(*import); });

  auto generate = std::make_shared<KeyArgs>();
  auto* g = keys->add_subcommand("generate", "Generate a key inside the HSM");
  add_key_options(*g, *generate);
  g->callback([generate, &exit_code] { exit_code = run_generate(*generate); });

  auto list_options = std::make_shared<HsmOptions>();
  auto json = std::make_shared<bool>(false);
  auto* l = keys->add_subcommand("list", "Names, algorithms, usage and KCVs of the stored keys");
  list_options->add_to(*l);
  l->add_flag("--json", *json, "machine-readable output");
  l->callback([list_options, json, &exit_code] { exit_code = run_list(*list_options, *json); });

  auto caps_options = std::make_shared<CapabilityArgs>();
  auto* caps = keys->add_subcommand(
      "capabilities",
      "What the backend can do, and what the region's card profile needs (exit 1: something "
      "missing)");
  caps_options->hsm.add_to(*caps);
  caps_options->region.add_to(*caps);
  caps->callback([caps_options, &exit_code] { exit_code = run_capabilities(*caps_options); });
}

}  // namespace cardd::cardctl
