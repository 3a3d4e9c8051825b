// Requests per second per token, with a burst of one second's worth: a
// client stuck in a loop gets 429 instead of the database's whole attention,
// and the other callers go on.
//
// Thread safety: allow() may be called from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace cardd::server::api {

class RateLimit {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimit(std::int64_t per_second) : per_second_(static_cast<double>(per_second)) {}

  // Takes one request from the token's bucket; false when it is empty.
  bool allow(std::int64_t token_id, Clock::time_point now);

 private:
  struct Bucket {
    double left = 0;
    Clock::time_point at;
  };

  double per_second_;
  std::mutex mutex_;
  std::unordered_map<std::int64_t, Bucket> buckets_;
};

}  // namespace cardd::server::api
