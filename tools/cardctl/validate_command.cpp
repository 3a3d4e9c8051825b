// cardctl validate FILE.jsonl [--json]: checks applications without storing.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cardd/intake/validator.h"
#include "cli_support.h"
#include "commands.h"
#include "region_options.h"

namespace cardd::cardctl {
namespace {

struct ValidateArgs {
  std::string file;
  bool json = false;
  RegionOptions region;
};

int run_validate(const ValidateArgs& args) {
  auto reader = JsonlReader::open(args.file);
  if (!reader) return 2;
  const auto region = args.region.load();
  if (!region) return 2;
  intake::ValidatorOptions rules;
  rules.region = region->rules;
  intake::ApplicationValidator validator(rules);
  std::int64_t valid = 0, invalid = 0;
  std::string line;
  while (reader->next(line)) {
    const auto result = validator.validate(line);
    result.valid() ? ++valid : ++invalid;
    if (args.json) {
      nlohmann::json out = {
          {"line", reader->line_number()},
          {"application_id", result.application_id.empty() ? nlohmann::json()
                                                           : nlohmann::json(result.application_id)},
          {"valid", result.valid()},
          {"errors", nlohmann::json::array()}};
      for (const auto& e : result.errors)
        out["errors"].push_back({{"field", e.field}, {"code", e.code}, {"message", e.message}});
      std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else if (!result.valid()) {
      const std::string id =
          result.application_id.empty() ? "(no application_id)" : result.application_id;
      for (const auto& e : result.errors)
        std::cout << "line " << reader->line_number() << ": " << id << ": "
                  << (e.field.empty() ? "document" : e.field) << ": " << e.code << ": " << e.message
                  << "\n";
    }
  }
  if (reader->failed()) {
    std::cerr << "cardctl: read error in " << args.file << "\n";
    return 2;
  }
  if (!args.json)
    std::cout << valid + invalid << " applications: " << valid << " valid, " << invalid
              << " invalid\n";
  return 0;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand(
      "validate", "Validate applications (one JSON object per line) without storing them");
  cmd->add_option("file", args->file, "JSON Lines file")->required();
  cmd->add_flag("--json", args->json, "one JSON result per application");
  args->region.add_to(*cmd);
  cmd->callback([args, &exit_code] { exit_code = run_validate(*args); });
}

}  // namespace cardd::cardctl
