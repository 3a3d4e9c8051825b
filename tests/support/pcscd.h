// pcscd for tests and benchmarks: there is one per machine
// (/run/pcscd/pcscd.comm), so a running one is reused; otherwise one is
// started here and stopped with the returned process.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "cardd/personalization/pcsc_reader.h"
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
    auto readers = personalization::list_pcsc_readers(slot);
    if (readers.ok() && !readers->empty()) return started;
    if (std::chrono::steady_clock::now() > deadline) {
      error = "pcscd did not show the vpcd slot " + slot;
      return started;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace cardd::test
