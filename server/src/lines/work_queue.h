// The applications the slots of this process work on: the oldest waiting
// one that no slot has in hand, and not one that failed a moment ago for a
// reason a new card would not cure (a preparation error, a claim held
// elsewhere).
//
// Thread safety: every method may be called from any slot.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "cardd/db/application_repository.h"

namespace cardd::server {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  WorkQueue(db::ApplicationRepository& applications, std::chrono::milliseconds retry_after)
      : applications_(applications), retry_after_(retry_after) {}

  // The next application for a blank card, now in hand; nullopt when none waits.
  std::optional<std::string> take();
  // `id` in hand (a card of it turned up in a reader); false when another
  // slot has it.
  bool take(const std::string& id);
  // Out of hand; `later` keeps it from being taken again for a while.
  void release(const std::string& id, bool later = false);
  std::size_t in_hand() const;

 private:
  db::ApplicationRepository& applications_;
  const std::chrono::milliseconds retry_after_;
  mutable std::mutex mutex_;
  std::set<std::string, std::less<>> in_hand_;
  std::map<std::string, Clock::time_point, std::less<>> not_before_;
};

}  // namespace cardd::server
