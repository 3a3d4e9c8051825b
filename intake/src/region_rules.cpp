#include "cardd/intake/region_rules.h"

#include <algorithm>

namespace cardd::intake {

const District* RegionRules::district(std::string_view code) const {
  for (const auto& d : districts)
    if (d.code == code) return &d;
  return nullptr;
}

bool RegionRules::accepts(Channel c) const {
  return std::find(channels.begin(), channels.end(), c) != channels.end();
}

bool RegionRules::allows_branch(Channel c) const {
  return std::find(branch_channels.begin(), branch_channels.end(), c) != branch_channels.end();
}

bool RegionRules::postal_code_ok(std::string_view code) const {
  if (code.size() != 6 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  return std::any_of(postal_prefixes.begin(), postal_prefixes.end(),
                     [&](const std::string& p) { return code.starts_with(p); });
}

}  // namespace cardd::intake
