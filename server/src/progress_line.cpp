#include "progress_line.h"

#include <fmt/format.h>

namespace cardd::server {

std::string progress_line(const std::map<db::AppState, std::int64_t>& by_state, std::int64_t unsent,
                          const std::vector<SlotStatus>& slots) {
  std::string out = "progress:";
  for (const auto& [state, count] : by_state)
    out += fmt::format(" {}={}", db::to_string(state), count);
  out += fmt::format(" unsent={}", unsent);
  for (const SlotStatus& s : slots)
    out += fmt::format(" | {}/{}: {} made, {} spoiled, {}{}", s.line, s.slot, s.made, s.spoiled,
                       s.activity, s.paused ? " (paused)" : "");
  return out;
}

}  // namespace cardd::server
