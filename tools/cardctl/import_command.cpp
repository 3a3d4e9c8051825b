// cardctl import FILE.jsonl --db PATH: stores valid applications as
// VALIDATED and invalid ones as REJECTED; re-importing changes nothing.
#include <filesystem>
#include <iostream>

#include "cardd/server/intake.h"
#include "cli_support.h"
#include "commands.h"

namespace cardd::cardctl {
namespace {

struct ImportArgs {
  std::string file;
  std::string db;
  std::size_t batch = 256;
};

int run_import(const ImportArgs& args) {
  auto reader = JsonlReader::open(args.file);
  if (!reader) return 2;
  auto store = open_store(args.db);
  if (!store) return 1;
  server::Intake intake(*store);
  const server::IntakeSource source{"file:" + std::filesystem::path(args.file).filename().string(),
                                    "cardctl import", std::nullopt, ""};
  server::IntakeSummary summary;
  ProgressBar progress("import");
  std::vector<std::string> lines;
  std::vector<std::int64_t> line_numbers;
  int rc = 0;

  auto flush = [&]() -> bool {
    if (lines.empty()) return true;
    std::vector<std::string_view> documents(lines.begin(), lines.end());
    auto items = intake.ingest(documents, source);
    if (!items) {
      std::cerr << "cardctl: storing lines " << line_numbers.front() << "-" << line_numbers.back()
                << " failed, nothing of them was stored: " << items.error().describe() << "\n";
      return false;
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      summary.add(item.outcome);
      if (item.outcome == server::IntakeOutcome::conflict)
        std::cout << "conflict: " << item.application_id << " (line " << line_numbers[i]
                  << ") was imported before with different content; kept out\n";
      if (item.outcome == server::IntakeOutcome::unidentified)
        std::cout << "unidentified: line " << line_numbers[i] << ": " << item.errors.front().code
                  << "\n";
    }
    lines.clear();
    line_numbers.clear();
    progress.update(reader->bytes_read(), reader->size(), summary.total());
    return true;
  };

  std::string line;
  while (reader->next(line)) {
    lines.push_back(std::move(line));
    line_numbers.push_back(reader->line_number());
    if (lines.size() >= args.batch && !flush()) {
      rc = 1;
      break;
    }
  }
  if (rc == 0 && !flush()) rc = 1;
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
  cmd->add_option("--batch", args->batch, "applications per transaction")
      ->check(CLI::Range(1, 10000));
  cmd->callback([args, &exit_code] { exit_code = run_import(*args); });
}

}  // namespace cardd::cardctl
