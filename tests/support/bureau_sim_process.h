// A bureau-sim process on a free port of 127.0.0.1, for the tests that need
// a real bureau to talk to.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"

namespace cardd::test {

// A bureau-sim process on a free port.
class SimProcess {
 public:
  // HTTPS when `args` hold --tls-cert, plain HTTP otherwise.
  explicit SimProcess(std::vector<std::string> args) {
    for (const auto& arg : args) tls_ = tls_ || arg == "--tls-cert";
    std::vector<std::string> argv{cardd::test::bin_path("bureau-sim"), "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    child_ = ChildProcess::start(argv);
    const std::optional<std::string> line = child_.read_line(std::chrono::seconds(20));
    const std::string prefix = "listening on 127.0.0.1:";
    if (!line || line->rfind(prefix, 0) != 0) {
      ADD_FAILURE() << "bureau-sim did not start; stdout: " << line.value_or("<nothing>")
                    << "\nstderr: " << child_.stderr_text();
      return;
    }
    port_ = static_cast<std::uint16_t>(std::stoul(line->substr(prefix.size())));
  }

  // Stops the simulator and checks it shut down cleanly (exit 0; under the
  // sanitizers, no reports).
  ~SimProcess() {
    if (!child_.running()) return;
    child_.terminate();
    EXPECT_EQ(child_.wait(), 0) << child_.stderr_text();
  }
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
  }
  ChildProcess& child() { return child_; }

 private:
  ChildProcess child_;
  std::uint16_t port_ = 0;
  bool tls_ = false;
};

}  // namespace cardd::test
