// What the rules of spec/application.md leave to the region: its districts,
// the channels it takes applications from, which of them may choose branch
// collection, its postal codes and its civil time. A value loaded from the
// region's data (profiles/<region>/region.toml) and handed to the validator;
// intake itself reads no files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/civil_time.h"
#include "cardd/intake/application.h"

namespace cardd::intake {

struct District {
  std::string code;  // GB/T 2260, 6 digits
  std::string name;  // e.g. "和平区"
};

struct RegionRules {
  std::vector<District> districts;
  std::vector<Channel> channels;             // channels the region takes applications from
  std::vector<Channel> branch_channels;      // channels whose applicants may collect at a branch
  std::vector<std::string> postal_prefixes;  // a mail recipient's postal code starts with one
  UtcOffset utc_offset;                      // "today" for not-in-the-future rules

  // nullptr when `code` is not one of the region's districts.
  const District* district(std::string_view code) const;
  bool accepts(Channel c) const;
  bool allows_branch(Channel c) const;
  bool postal_code_ok(std::string_view code) const;  // 6 digits with a known prefix
};

}  // namespace cardd::intake
