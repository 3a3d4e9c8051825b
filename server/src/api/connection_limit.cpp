#include "connection_limit.h"

namespace cardd::server::api {

ConnectionLimit::ConnectionLimit(std::size_t total, std::size_t per_client)
    : total_limit_(total), per_client_limit_(per_client) {}

std::shared_ptr<void> ConnectionLimit::admit(const std::string& client) {
  {
    const std::lock_guard lock(mutex_);
    std::size_t& mine = per_client_[client];
    if (open_ >= total_limit_ || mine >= per_client_limit_) {
      if (mine == 0) per_client_.erase(client);
      return nullptr;
    }
    ++mine;
    ++open_;
  }
  // The limit outlives every claim: the listener destroys its sessions first.
  // (Not null, so that a claim tests true.)
  return std::shared_ptr<void>(static_cast<void*>(this),
                               [this, client](void*) { release(client); });
}

void ConnectionLimit::release(const std::string& client) {
  const std::lock_guard lock(mutex_);
  --open_;
  if (const auto it = per_client_.find(client); it != per_client_.end() && --it->second == 0)
    per_client_.erase(it);
}

}  // namespace cardd::server::api
