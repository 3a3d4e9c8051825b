// Exponential back-off with a cap and jitter, for workers retrying a bureau
// that is down: initial, 2×, 4× … up to `max`, each delay drawn in
// [d/2, d] so restarted services do not retry in lockstep.
//
// Thread safety: one object per worker thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace cardd::server {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);

  // The delay before the next attempt after one more failure.
  std::chrono::milliseconds next();
  // Success: the next failure starts again at `initial`.
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int failures_ = 0;
  std::minstd_rand random_;
};

}  // namespace cardd::server
