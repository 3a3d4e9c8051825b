// --region NAME and --profile-dir DIR, shared by the commands that depend on
// a region (rules, chip profile, face, texts, banks).
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "cardd/region/region.h"
#include "cardd/region/search_path.h"

namespace cardd::cardctl {

struct RegionOptions {
  std::string name{region::kDefaultRegion};
  std::vector<std::string> profile_dirs;

  void add_to(CLI::App& cmd);
  // The selected region from the search path; nullopt (and the reason,
  // with every folder looked in, on stderr) when it cannot be loaded.
  std::optional<region::Region> load() const;
};

}  // namespace cardd::cardctl
