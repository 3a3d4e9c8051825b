// The shipped regions (profiles/<region>/), found through the standard
// search path as cardctl finds them: the build tree's share/cardd/profiles
// next to the test binaries. Users link cardd::region.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "cardd/intake/validator.h"
#include "cardd/region/search_path.h"

namespace cardd::test {

// Loaded once per process; a region that does not load fails the caller loudly.
inline const region::Region& shipped_region(const std::string& name = "beijing") {
  static std::mutex mutex;
  static std::map<std::string, region::Region> loaded;
  const std::lock_guard lock(mutex);
  if (auto it = loaded.find(name); it != loaded.end()) return it->second;
  auto r = region::SearchPath::standard().find(name);
  if (!r) throw std::runtime_error(r.error().describe());
  return loaded.emplace(name, std::move(*r)).first->second;
}

// Validator options with a shipped region's rules.
inline intake::ValidatorOptions validator_options(const std::string& name = "beijing") {
  intake::ValidatorOptions options;
  options.region = shipped_region(name).rules;
  return options;
}

}  // namespace cardd::test
