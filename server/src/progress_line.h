// One log line an operator reads to see where the work stands: cards per
// state, status changes not yet sent to the bureau, then per slot what it is
// doing, made and spoiled.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cardd/db/state.h"
#include "cardd/server/production_lines.h"

namespace cardd::server {

std::string progress_line(const std::map<db::AppState, std::int64_t>& by_state, std::int64_t unsent,
                          const std::vector<SlotStatus>& slots);

}  // namespace cardd::server
