// Cards per hour over the last ten minutes, or since the first card when
// that is sooner: the number an operator compares slots and lines by.
//
// Thread safety: none; the slot keeps it under its own mutex.
#pragma once

#include <chrono>
#include <deque>
#include <optional>

namespace cardd::server {

class Throughput {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::minutes kWindow{10};

  void record(Clock::time_point at);
  // 0 until a second has passed since the first card.
  double per_hour(Clock::time_point now) const;

 private:
  std::deque<Clock::time_point> times_;  // within the window, oldest first
  std::optional<Clock::time_point> first_;
};

}  // namespace cardd::server
