// What time it is, injected so that a test can prepare a card on one day and
// print it on another.
#pragma once

#include <functional>

#include "cardd/common/civil_time.h"

namespace cardd::server {

using Clock = std::function<UnixSeconds()>;

inline Clock system_clock() {
  return [] { return unix_now(); };
}

}  // namespace cardd::server
