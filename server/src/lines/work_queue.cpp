#include "work_queue.h"

namespace cardd::server {

std::optional<std::string> WorkQueue::take() {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  std::erase_if(not_before_, [&](const auto& entry) { return entry.second <= now; });
  const auto limit = static_cast<std::int64_t>(in_hand_.size() + not_before_.size() + 16);
  auto waiting = applications_.to_produce(limit);
  if (!waiting) return std::nullopt;
  for (std::string& id : *waiting)
    if (!in_hand_.contains(id) && !not_before_.contains(id)) {
      in_hand_.insert(id);
      return std::move(id);
    }
  return std::nullopt;
}

bool WorkQueue::take(const std::string& id) {
  std::lock_guard lock(mutex_);
  return in_hand_.insert(id).second;
}

void WorkQueue::release(const std::string& id, bool later) {
  std::lock_guard lock(mutex_);
  in_hand_.erase(id);
  if (later) not_before_[id] = Clock::now() + retry_after_;
}

std::size_t WorkQueue::in_hand() const {
  std::lock_guard lock(mutex_);
  return in_hand_.size();
}

}  // namespace cardd::server
