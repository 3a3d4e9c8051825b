// cardctl import FILE.jsonl --db PATH: stores valid applications as
// VALIDATED and invalid ones as REJECTED; re-importing changes nothing.
#include <filesystem>
#include <iostream>

#include "cardd/common/actor.h"
#include "cardd/server/intake.h"
#include "cli_support.h"
#include "commands.h"
#include "region_options.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct ImportArgs {
  HsmOptions hsm;
  std::string file;
  std::string db;
  std::size_t batch = 256;
  RegionOptions region;
};

void report(const server::IntakePipeline::Stored& stored, server::IntakeSummary& summary) {
  for (std::size_t i = 0; i < stored.items.size(); ++i) {
    const auto& item = stored.items[i];
    summary.add(item.outcome);
    if (item.outcome == server::IntakeOutcome::conflict)
      std::cout << "conflict: " << item.application_id << " (line " << stored.tags[i]
                << ") was imported before with different content; kept out\n";
    if (item.outcome == server::IntakeOutcome::unidentified)
      std::cout << "unidentified: line " << stored.tags[i] << ": " << item.errors.front().code
                << "\n";
  }
}

int run_import(const ImportArgs& args) {
  auto reader = JsonlReader::open(args.file);
  if (!reader) return 2;
  const auto region = args.region.load();
  if (!region) return 2;
  SealedStore sealed;
  if (const int rc = open_sealed_store(args.hsm, args.db, true, sealed); rc != 0) return rc;
  db::Store* store = sealed.store.get();
  intake::ValidatorOptions rules;
  rules.region = region->rules;
  server::Intake intake(*store, rules);
  server::IntakePipeline pipeline(intake,
                                  {"file:" + std::filesystem::path(args.file).filename().string(),
                                   local_actor("cardctl import"), std::nullopt, ""});
  server::IntakeSummary summary;
  ProgressBar progress("import");

  auto consume = [&](Result<std::optional<server::IntakePipeline::Stored>> stored) {
    if (!stored) {
      std::cerr << "cardctl: storing a batch failed, nothing of that batch was stored: "
                << stored.error().describe() << "\n";
      return false;
    }
    if (*stored) report(**stored, summary);
    progress.update(reader->bytes_read(), reader->size(), summary.total());
    return true;
  };

  // The pipeline validates the batch just read while it stores the one before.
  std::vector<std::string> lines;
  std::vector<std::int64_t> line_numbers;
  auto push = [&] {
    auto stored = pipeline.push(std::move(lines), std::move(line_numbers));
    lines.clear();
    line_numbers.clear();
    return consume(std::move(stored));
  };
  bool ok = true;
  std::string line;
  while (ok && reader->next(line)) {
    lines.push_back(std::move(line));
    line_numbers.push_back(reader->line_number());
    if (lines.size() >= args.batch) ok = push();
  }
  if (ok && !lines.empty()) ok = push();
  if (ok) ok = consume(pipeline.finish());
  int rc = ok ? 0 : 1;
  if (rc == 0 && reader->failed()) {
    std::cerr << "cardctl: read error in " << args.file << "\n";
    rc = 2;
  }
  std::cout << "imported " << args.file << ": " << summary.describe() << "\n";
  return rc;
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ImportArgs>();
  auto* cmd =
      app.add_subcommand("import", "Validate and store applications from a JSON Lines file");
  cmd->add_option("file", args->file, "JSON Lines file")->required();
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  args->region.add_to(*cmd);
  cmd->add_option("--batch", args->batch, "applications per transaction")
      ->check(CLI::Range(1, 10000));
  args->hsm.add_to(*cmd);
  cmd->callback([args, &exit_code] { exit_code = run_import(*args); });
}

}  // namespace cardd::cardctl
