// cardctl gen: writes deterministic test applications as JSON Lines.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cardd/testdata/generator.h"
#include "commands.h"
#include "region_options.h"

namespace cardd::cardctl {
namespace {

struct GenOptions {
  std::uint64_t count = 0;
  std::uint64_t seed = 1;
  std::string out;
  double invalid_rate = 0.0;
  bool no_malformed = false;
  std::string prefix;  // the region's id_prefix unless given
  RegionOptions region;
};

int run_gen(const GenOptions& opts) {
  const auto region = opts.region.load();
  if (!region) return 2;
  auto places = testdata::load_region_places(*region);
  if (!places) {
    std::cerr << "cardctl gen: " << places.error().describe() << "\n";
    return 2;
  }
  std::ofstream file(opts.out, std::ios::binary | std::ios::trunc);
  if (!file) {
    std::cerr << "cardctl gen: cannot open " << opts.out << " for writing: " << std::strerror(errno)
              << "\n";
    return 2;
  }
  testdata::GeneratorOptions options;
  options.seed = opts.seed;
  options.invalid_rate = opts.invalid_rate;
  options.include_malformed = !opts.no_malformed;
  options.id_prefix = opts.prefix;
  options.places = std::make_shared<const testdata::RegionPlaces>(std::move(*places));
  const testdata::Generator generator(options);

  std::uint64_t invalid = 0;
  for (std::uint64_t i = 0; i < opts.count; ++i) {
    const testdata::GeneratedApplication app = generator.make(i);
    if (!app.expected_error.empty()) ++invalid;
    file << app.json << '\n';
    if (!file) break;
  }
  file.flush();
  if (!file) {
    std::cerr << "cardctl gen: cannot write " << opts.out << "\n";
    return 2;
  }
  file.close();
  if (!file) {
    std::cerr << "cardctl gen: cannot write " << opts.out << "\n";
    return 2;
  }
  std::cout << "wrote " << opts.count << " applications (" << opts.count - invalid << " valid, "
            << invalid << " invalid) to " << opts.out << "\n";
  return 0;
}

}  // namespace

void add_gen_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<GenOptions>();
  CLI::App* gen = app.add_subcommand(
      "gen", "write deterministic test applications (JSON Lines) for import and load tests");
  gen->add_option("--count", opts->count, "number of applications (index 0..N-1)")->required();
  gen->add_option("--seed", opts->seed, "generator seed; same seed, same bytes")
      ->capture_default_str();
  gen->add_option("--out", opts->out, "output file (.jsonl), overwritten")->required();
  gen->add_option("--invalid-rate", opts->invalid_rate,
                  "share of applications that break exactly one rule (0..1)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  gen->add_flag("--no-malformed", opts->no_malformed,
                "invalid applications are still JSON (no truncated lines)");
  opts->region.add_to(*gen);
  gen->add_option("--prefix", opts->prefix,
                  "application id prefix: <prefix>-<seed>-<index> (default: the region's)")
      ->check([](const std::string& value) -> std::string {
        for (const char c : value) {
          const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '-';
          if (!ok) return "prefix may contain only A-Z a-z 0-9 _ -";
        }
        return value.empty() ? "prefix must not be empty" : "";
      });
  gen->callback([opts, &exit_code] { exit_code = run_gen(*opts); });
}

}  // namespace cardd::cardctl
