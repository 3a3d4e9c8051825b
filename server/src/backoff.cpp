#include "cardd/server/backoff.h"

#include <algorithm>

namespace cardd::server {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      random_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
  auto delay = initial_;
  for (int i = 0; i < failures_ && delay < max_; ++i) delay *= 2;
  delay = std::min(delay, max_);
  ++failures_;
  std::uniform_int_distribution<std::int64_t> jitter(delay.count() / 2, delay.count());
  return std::chrono::milliseconds(jitter(random_));
}

}  // namespace cardd::server
