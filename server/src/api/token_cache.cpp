#include "token_cache.h"

namespace cardd::server::api {

std::optional<std::optional<Caller>> TokenCache::find(const std::string& hash,
                                                      Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(hash);
  if (it == entries_.end() || now - it->second.seen >= kFresh) return std::nullopt;
  return it->second.caller;
}

void TokenCache::put(const std::string& hash, std::optional<Caller> caller, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(hash, Entry{std::move(caller), now});
}

}  // namespace cardd::server::api
