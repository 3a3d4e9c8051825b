// How many connections the API holds open, in total and per client address.
// A client over either limit is turned away at once, so one client cannot
// take every socket (slow or idle connections) and the memory the open
// connections may hold stays bounded by the limits times the request limits.
//
// Thread safety: admit() from any thread; a claim may be released on any.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace cardd::server::api {

class ConnectionLimit {
 public:
  ConnectionLimit(std::size_t total, std::size_t per_client);

  // A claim on one connection for `client` (released when the last copy is
  // destroyed), or nullptr when a limit is reached.
  std::shared_ptr<void> admit(const std::string& client);

 private:
  void release(const std::string& client);

  const std::size_t total_limit_, per_client_limit_;
  std::mutex mutex_;
  std::size_t open_ = 0;
  std::map<std::string, std::size_t> per_client_;
};

}  // namespace cardd::server::api
