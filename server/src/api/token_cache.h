// Tokens as the database last said, for a second: most requests then need no
// database read to know who calls. A token revoked (by cardctl, from any
// process) or expired is refused within kFresh; an unknown token is asked
// again after kFresh too, so one made a moment ago works at once.
//
// Thread safety: find() and put() may be called from several threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "router.h"

namespace cardd::server::api {

class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kFresh{1};
  // Past this many entries (someone trying tokens at random) it starts over.
  static constexpr std::size_t kMaxEntries = 4096;

  // The caller for this token hash as last seen, when fresh: nullopt when not
  // cached (ask the database); a cached nullopt caller means refused.
  std::optional<std::optional<Caller>> find(const std::string& hash, Clock::time_point now);
  void put(const std::string& hash, std::optional<Caller> caller, Clock::time_point now);

 private:
  struct Entry {
    std::optional<Caller> caller;
    Clock::time_point seen;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace cardd::server::api
