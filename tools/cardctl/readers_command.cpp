// cardctl readers [--reader PATTERN] [--wait-card | --wait-removal]
// [--timeout-ms N]: the PC/SC readers pcscd offers; optionally waits until a
// card is in (or out of) the first matching reader — what a script feeding
// cards does between two encodes, instead of sleeping.
#include <iostream>

#include "cardd/card/pcsc_reader.h"
#include "commands.h"

namespace cardd::cardctl {
namespace {

struct ReadersArgs {
  std::string pattern;
  bool wait_card = false;
  bool wait_removal = false;
  int timeout_ms = 10'000;
};

int run_readers(const ReadersArgs& a) {
  auto names = card::list_pcsc_readers(a.pattern);
  if (!names) {
    std::cerr << "cardctl: " << names.error().describe() << "\n";
    return 1;
  }
  for (const auto& n : *names) std::cout << n << "\n";
  if (!a.wait_card && !a.wait_removal) return names->empty() ? 1 : 0;
  auto reader = card::open_pcsc_reader(a.pattern);
  if (!reader) {
    std::cerr << "cardctl: " << reader.error().describe() << "\n";
    return 1;
  }
  const auto timeout = std::chrono::milliseconds(a.timeout_ms);
  Status s = a.wait_card ? (*reader)->wait_for_card(timeout) : (*reader)->wait_for_removal(timeout);
  if (!s) {
    std::cerr << "cardctl: " << s.error().describe() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_readers_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReadersArgs>();
  auto* cmd = app.add_subcommand("readers", "List PC/SC readers; wait for a card or its removal");
  cmd->add_option("--reader", args->pattern, "only readers whose name contains this");
  auto* card = cmd->add_flag("--wait-card", args->wait_card, "wait until a card is present");
  cmd->add_flag("--wait-removal", args->wait_removal, "wait until the card is gone")
      ->excludes(card);
  cmd->add_option("--timeout-ms", args->timeout_ms, "how long to wait")->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run_readers(*args); });
}

}  // namespace cardd::cardctl
