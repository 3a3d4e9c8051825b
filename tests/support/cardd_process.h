// The cardd daemon as a child process, started from a configuration file,
// with the port its API reports in the start-up log. SIGTERM when destroyed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "child_process.h"

namespace cardd::test {

class CarddProcess {
 public:
  // Starts `cardd --config config_path` and waits up to `limit` for its API
  // to listen; port() is 0 when it did not (log() says why).
  static CarddProcess start(const std::string& config_path,
                            std::chrono::seconds limit = std::chrono::seconds(60)) {
    CarddProcess cardd;
    cardd.child_ = ChildProcess::start({bin_path("cardd"), "--config", config_path});
    const std::string marker = "api: listening on port ";
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline && !cardd.child_.exited()) {
      const std::string log = cardd.child_.stderr_text();
      if (const std::size_t at = log.find(marker); at != std::string::npos) {
        cardd.port_ = static_cast<std::uint16_t>(std::stoul(log.substr(at + marker.size())));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return cardd;
  }

  std::uint16_t port() const { return port_; }
  std::string log() const { return child_.stderr_text(); }
  ChildProcess& child() { return child_; }

  // SIGTERM and the exit code (0: a clean stop).
  int stop() {
    child_.terminate();
    return child_.wait();
  }

 private:
  ChildProcess child_;
  std::uint16_t port_ = 0;
};

}  // namespace cardd::test
