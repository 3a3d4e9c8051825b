#include "rate_limit.h"

#include <algorithm>

namespace cardd::server::api {

bool RateLimit::allow(std::int64_t token_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto [it, added] = buckets_.try_emplace(token_id, Bucket{per_second_, now});
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  b.left = std::min(per_second_, b.left + elapsed * per_second_);
  b.at = now;
  if (b.left < 1) return false;
  b.left -= 1;
  return true;
}

}  // namespace cardd::server::api
