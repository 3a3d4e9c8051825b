// pcscd for tests and benchmarks: there is one per machine
// (/run/pcscd/pcscd.comm), so a running one is reused; otherwise one is
// started here and stopped with the returned process.
#pragma once

#include <map>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cardd/card/pcsc_reader.h"
#include "child_process.h"

namespace cardd::test {

// Returns the pcscd started here (nullopt when one was running) once the vpcd
// reader `slot` is listed; `error` says why not after 15 s.
inline std::optional<ChildProcess> ensure_pcscd(const std::string& slot, std::string& error) {
  std::optional<ChildProcess> started;
  if (run_command({"pgrep", "-x", "pcscd"}).exit_code != 0)
    started.emplace(ChildProcess::start({"pcscd", "-f"}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (true) {
    auto readers = card::list_pcsc_readers(slot);
    if (readers.ok() && !readers->empty()) return started;
    if (std::chrono::steady_clock::now() > deadline) {
      error = "pcscd did not show the vpcd slot " + slot;
      return started;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Stops pcscd mid-test: `ours` (the one ensure_pcscd started) or else the
// machine's daemon. True once no pcscd runs (within 5 s).
inline bool stop_pcscd(std::optional<ChildProcess>& ours) {
  if (ours) {
    ours->terminate();
    ours.reset();
  } else {
    run_command({"pkill", "-x", "pcscd"});
  }
  for (int i = 0; i < 100; ++i) {
    if (run_command({"pgrep", "-x", "pcscd"}).exit_code != 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Starts pcscd again as it was before stop_pcscd: the test's own (`was_ours`,
// kept in `ours`) or the machine's daemon; then waits for `slot`. Empty
// when it is back, else why not.
inline std::string restart_pcscd(std::optional<ChildProcess>& ours, bool was_ours,
                                 const std::string& slot) {
  if (!was_ours && run_command({"pcscd"}).exit_code != 0) return "pcscd did not start";
  std::string error;
  auto started = ensure_pcscd(slot, error);
  if (was_ours) ours = std::move(started);
  return error;
}

// Starts the vcard program with `args` (port, state, serial, faults …) and
// waits until pcscd shows its card in `slot`; `error` says why not.
inline std::optional<ChildProcess> insert_vcard(const std::string& slot,
                                                const std::vector<std::string>& args,
                                                std::string& error) {
  std::vector<std::string> argv{bin_path("vcard")};
  argv.insert(argv.end(), args.begin(), args.end());
  std::optional<ChildProcess> vcard(ChildProcess::start(argv));
  const std::string line = vcard->read_line(std::chrono::seconds(15)).value_or("");
  if (line.rfind("vcard: inserted in ", 0) != 0) {
    error = "vcard did not start: " + vcard->stderr_text();
    return vcard;
  }
  auto reader = card::open_pcsc_reader(slot);
  if (!reader) {
    error = reader.error().describe();
  } else if (auto s = (*reader)->wait_for_card(std::chrono::seconds(10)); !s) {
    error = s.error().describe();
  }
  return vcard;
}

// Stops the vcard in `slot` and waits until pcscd has seen its card go, or
// the next card would be taken for it: what went wrong, for the caller to
// assert on (empty when the card went).
inline std::string remove_vcard(const std::string& slot, ChildProcess& vcard) {
  vcard.terminate();
  auto reader = card::open_pcsc_reader(slot);
  if (!reader.ok()) return slot + ": " + reader.error().describe() + "\n";
  if (auto removed = (*reader)->wait_for_removal(std::chrono::seconds(10)); !removed)
    return slot + ": pcscd still sees the card: " + removed.error().describe() + "\n";
  return {};
}

// remove_vcard for every slot.
inline std::string remove_vcards(std::map<std::string, ChildProcess>& by_slot) {
  std::string problems;
  for (auto& [slot, vcard] : by_slot) problems += remove_vcard(slot, vcard);
  by_slot.clear();
  return problems;
}

}  // namespace cardd::test
