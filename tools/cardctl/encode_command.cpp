// cardctl encode APPLICATION_ID --db PATH --reader PATTERN: prepares the
// application when needed, then personalizes the blank card in the reader,
// one progress line per step. A failed session spoils the card (its reason
// is printed) and re-queues the application for the next blank card.
//
// cardctl read-card --reader PATTERN [--json] [--show-pii]: what the card
// holds, read through the applications' public commands only.
//
// cardctl qc APPLICATION_ID --db PATH --reader PATTERN: QC of a printed card
// (server/quality_check.h): QC_PASSED, or the card spoiled as qc_mismatch.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cardd/card/pcsc_reader.h"
#include "cardd/common/actor.h"
#include "cardd/common/pii.h"
#include "cardd/common/sha256.h"
#include "cardd/personalization/card_reader.h"
#include "cardd/server/issuance.h"
#include "cardd/server/quality_check.h"
#include "cardd/server/region_profile.h"
#include "cli_support.h"
#include "commands.h"
#include "hsm_options.h"
#include "region_options.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct EncodeArgs {
  HsmOptions hsm;
  std::string id;
  std::string db;
  std::string reader;
  std::string profile;  // the region's chip.toml unless given
  RegionOptions region;
  int wait_ms = 0;
};

std::optional<personalization::CardProfile> load_profile(const RegionOptions& options,
                                                         const std::string& path) {
  const auto region = options.load();
  if (!region) return std::nullopt;
  auto profile = server::load_region_profile(*region, path);
  if (!profile) {
    std::cerr << "cardctl: " << profile.error().describe() << "\n";
    return std::nullopt;
  }
  return std::move(*profile);
}

std::unique_ptr<card::Reader> open_reader(const std::string& pattern, int wait_ms) {
  auto reader = card::open_pcsc_reader(pattern);
  if (!reader) {
    std::cerr << "cardctl: " << reader.error().describe() << "\n";
    return nullptr;
  }
  if (wait_ms > 0) {
    if (auto s = (*reader)->wait_for_card(std::chrono::milliseconds(wait_ms)); !s) {
      std::cerr << "cardctl: " << s.error().describe() << "\n";
      return nullptr;
    }
  }
  return std::move(*reader);
}

int run_encode(const EncodeArgs& args) {
  auto profile = load_profile(args.region, args.profile);
  if (!profile) return 2;
  SealedStore sealed;
  if (const int rc = open_sealed_store(args.hsm, args.db, false, sealed); rc != 0) return rc;
  auto reader = open_reader(args.reader, args.wait_ms);
  if (!reader) return 1;
  for (const std::string& decision : personalization::profile_decisions(*profile))
    std::cout << "  profile decision: " << decision << "\n";
  server::Issuance issuance(*sealed.store, *sealed.hsm, std::move(*profile),
                            actor_at_reader(local_actor("cardctl encode"), reader->name()));
  auto outcome = issuance.encode(
      args.id, *reader, [](std::string_view step) { std::cout << "  " << step << std::endl; });
  if (!outcome) {
    std::cerr << "cardctl: " << args.id << ": " << outcome.error().describe() << "\n";
    return 1;
  }
  std::cout << fmt::format("{}: ENCODED on chip {}, card {}, {} commands\n", args.id,
                           outcome->chip_id, mask_tail4(outcome->card_number), outcome->commands);
  return 0;
}

struct ReadArgs {
  std::string reader;
  std::string profile;
  RegionOptions region;
  // The terminal's keys (a PSAM's role): opened only when --hsm is given.
  HsmOptions hsm;
  bool with_hsm = false;
  bool json = false;
  bool show_pii = false;
};

// Holder data a clerk reads; the social security number and PAN are masked
// unless asked for.
std::string shown(const std::string& item, const std::string& value, bool show_pii) {
  if (item == "holder.photo") {
    // The JPEG as its size and digest (hex on the card reader's side).
    const auto bytes = from_hex(value).value_or(std::vector<std::uint8_t>{});
    const std::string_view raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return fmt::format("{} bytes, SHA-256 {}…", bytes.size(), to_hex(sha256(raw)).substr(0, 16));
  }
  if (show_pii) return value;
  if (item == "holder.ssn") return mask_id_number(value);
  if (item == "fin.pan") return mask_tail4(value);
  return value;
}

int run_read(const ReadArgs& args) {
  auto profile = load_profile(args.region, args.profile);
  if (!profile) return 2;
  std::unique_ptr<hsm::Hsm> keys;
  if (args.with_hsm && !(keys = args.hsm.open())) return 1;
  auto reader = open_reader(args.reader, 0);
  if (!reader) return 1;
  auto contents = personalization::read_card(*reader, *profile, keys.get());
  if (!contents) {
    std::cerr << "cardctl: " << contents.error().describe() << "\n";
    return 1;
  }
  nlohmann::json j = {{"chip_id", contents->chip_id},
                      {"life_cycle", contents->life_cycle},
                      {"applications", contents->application_life_cycles},
                      {"unread", contents->unread}};
  for (const auto& [item, value] : contents->items)
    j["items"][item] = shown(item, value, args.show_pii);
  if (args.json) {
    std::cout << j.dump() << "\n";
    return 0;
  }
  const auto item = [&](const char* name) {
    const auto it = contents->items.find(name);
    return it == contents->items.end() ? std::string("-") : shown(name, it->second, args.show_pii);
  };
  // "20261125" → "2026-11-25"
  const auto date = [&](const char* name) {
    std::string d = item(name);
    return d.size() == 8 ? d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6) : d;
  };
  std::cout << fmt::format(
      "chip                  {}\nlife cycle            {}\nname                  {}\n"
      "social security no.   {}\ncard number           {}\nissued / expires      {} / {}\n"
      "card identification   {}\nphoto on the chip     {}\n",
      contents->chip_id, contents->life_cycle, item("holder.name"), item("holder.ssn"),
      item("card.number"), date("card.issue_date"), date("card.expiry_date"),
      item("card.identification_code"), item("holder.photo"));
  for (const auto& [app, state] : contents->application_life_cycles)
    std::cout << fmt::format("application {:<11} {}\n", app, state);
  for (const auto& why : contents->unread) std::cout << "not read              " << why << "\n";
  return 0;
}

int run_qc(const EncodeArgs& args) {
  const auto region = args.region.load();
  if (!region) return 2;
  auto profile = load_profile(args.region, args.profile);
  if (!profile) return 2;
  auto reader = open_reader(args.reader, args.wait_ms);
  if (!reader) return 1;
  SealedStore opened;
  if (const int rc = open_sealed_store(args.hsm, args.db, false, opened); rc != 0) return rc;
  server::QualityCheck qc(*opened.store, *opened.hsm, *profile, *region, local_actor("cardctl qc"));
  auto outcome = qc.check(args.id, *reader);
  if (!outcome) {
    std::cerr << "cardctl: " << outcome.error().describe() << "\n";
    return 1;
  }
  if (outcome->passed) {
    std::cout << fmt::format("{}: QC_PASSED (card {})\n", args.id, outcome->chip_id);
    return 0;
  }
  std::string what;
  for (const auto& m : outcome->mismatches) what += (what.empty() ? "" : ", ") + m;
  std::cout << fmt::format("{}: card {} SPOILED (qc_mismatch: {} disagree); application QUEUED\n",
                           args.id, outcome->chip_id, what);
  return 1;
}

}  // namespace

void add_encode_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<EncodeArgs>();
  auto* cmd = app.add_subcommand("encode", "Prepare and personalize an application's card");
  cmd->add_option("application_id", args->id, "the bureau's application id")->required();
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_option("--reader", args->reader, "PC/SC reader name (or part of it)")->required();
  cmd->add_option("--profile", args->profile, "card profile (TOML) instead of the region's");
  args->region.add_to(*cmd);
  cmd->add_option("--wait-ms", args->wait_ms, "wait this long for a card in the reader");
  args->hsm.add_to(*cmd);
  cmd->callback([args, &exit_code] { exit_code = run_encode(*args); });

  auto qc = std::make_shared<EncodeArgs>();
  auto* q = app.add_subcommand("qc", "QC of a printed card: chip, face and application agree");
  q->add_option("application_id", qc->id, "the bureau's application id")->required();
  q->add_option("--db", qc->db, "SQLite database file")->required();
  q->add_option("--reader", qc->reader, "PC/SC reader name (or part of it)")->required();
  q->add_option("--profile", qc->profile, "card profile (TOML) instead of the region's");
  qc->region.add_to(*q);
  q->add_option("--wait-ms", qc->wait_ms, "wait this long for a card in the reader");
  qc->hsm.add_to(*q);
  q->callback([qc, &exit_code] { exit_code = run_qc(*qc); });

  auto read = std::make_shared<ReadArgs>();
  auto* r = app.add_subcommand("read-card", "Read a card through its public commands");
  r->add_option("--reader", read->reader, "PC/SC reader name (or part of it)")->required();
  r->add_option("--profile", read->profile, "card profile (TOML) instead of the region's");
  read->region.add_to(*r);
  r->add_flag("--json", read->json, "machine-readable output");
  r->add_flag("--show-pii", read->show_pii, "show the social security number and PAN in full");
  read->hsm.add_to(*r);
  r->callback([read, r, &exit_code] {
    read->with_hsm = r->get_option("--hsm")->count() > 0;
    exit_code = run_read(*read);
  });
}

}  // namespace cardd::cardctl
