#include "region_options.h"

#include <iostream>

namespace cardd::cardctl {

void RegionOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--region", name, "region (a folder of the profile search path)")
      ->capture_default_str();
  cmd.add_option("--profile-dir", profile_dirs,
                 "folder of region profiles searched first (repeatable, or colon-separated); "
                 "then $CARDD_PROFILE_PATH, then <bin>/../share/cardd/profiles");
}

std::optional<region::Region> RegionOptions::load() const {
  auto r = region::SearchPath::standard(profile_dirs).find(name);
  if (!r) {
    std::cerr << "cardctl: " << r.error().describe() << "\n";
    return std::nullopt;
  }
  return std::move(*r);
}

}  // namespace cardd::cardctl
