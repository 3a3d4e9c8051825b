// Where regions are found: never a path compiled in, but a search path of
// folders, each holding one sub-folder per region (<folder>/<region>/region.toml):
//   1. folders given by the operator (--profile-dir, each may be a
//      colon-separated list), in their order;
//   2. the folders of $CARDD_PROFILE_PATH (colon-separated);
//   3. <directory of the executable>/../share/cardd/profiles, where
//      `cmake --install` puts profiles/ and where a build tree links it
//      (build/<preset>/share/cardd/profiles), so that one rule serves
//      installed and development binaries alike.
// The first folder that holds the region wins.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/region/region.h"

namespace cardd::region {

// The region used when none is named: profiles/default, a symbolic link to
// the region folder an installation serves.
inline constexpr std::string_view kDefaultRegion = "default";

class SearchPath {
 public:
  // The standard path: `configured` folders, then $CARDD_PROFILE_PATH, then
  // the installed folder next to the running executable.
  static SearchPath standard(const std::vector<std::string>& configured = {});
  // Exactly these folders, in this order (tests).
  explicit SearchPath(std::vector<std::filesystem::path> folders);

  const std::vector<std::filesystem::path>& folders() const { return folders_; }

  // The folder of region `name` (letters, digits, '-' and '_' only).
  // not_found lists every folder searched.
  Result<std::filesystem::path> locate(std::string_view name) const;
  // locate() + load_region().
  Result<Region> find(std::string_view name) const;

 private:
  std::vector<std::filesystem::path> folders_;
};

// The folder of the running executable (from /proc/self/exe).
std::filesystem::path executable_dir();

}  // namespace cardd::region
