#include "throughput.h"

#include <algorithm>

namespace cardd::server {

void Throughput::record(Clock::time_point at) {
  if (!first_) first_ = at;
  times_.push_back(at);
  while (!times_.empty() && at - times_.front() > kWindow) times_.pop_front();
}

double Throughput::per_hour(Clock::time_point now) const {
  if (!first_) return 0;
  const auto span = std::min<Clock::duration>(kWindow, now - *first_);
  if (span < std::chrono::seconds(1)) return 0;
  const auto recent = std::count_if(times_.begin(), times_.end(),
                                    [&](Clock::time_point t) { return now - t <= kWindow; });
  return static_cast<double>(recent) * 3600.0 / std::chrono::duration<double>(span).count();
}

}  // namespace cardd::server
