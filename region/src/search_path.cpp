#include "cardd/region/search_path.h"

#include <algorithm>
#include <cstdlib>

namespace cardd::region {
namespace {

namespace fs = std::filesystem;

void append_list(std::vector<fs::path>& out, std::string_view list) {
  while (!list.empty()) {
    const std::size_t colon = list.find(':');
    const std::string_view part = list.substr(0, colon);
    if (!part.empty()) out.emplace_back(part);
    if (colon == std::string_view::npos) break;
    list.remove_prefix(colon + 1);
  }
}

bool name_ok(std::string_view name) {
  return !name.empty() && name.size() <= 64 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

}  // namespace

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

SearchPath::SearchPath(std::vector<fs::path> folders) : folders_(std::move(folders)) {}

SearchPath SearchPath::standard(const std::vector<std::string>& configured) {
  std::vector<fs::path> folders;
  for (const auto& c : configured) append_list(folders, c);
  if (const char* env = std::getenv("CARDD_PROFILE_PATH")) append_list(folders, env);
  if (const fs::path exe = executable_dir(); !exe.empty())
    folders.push_back((exe / ".." / "share" / "cardd" / "profiles").lexically_normal());
  return SearchPath(std::move(folders));
}

Result<fs::path> SearchPath::locate(std::string_view name) const {
  if (!name_ok(name))
    return make_error(
        RegionError::not_found,
        "region name \"" + std::string(name) + "\" is not valid (letters, digits, - and _ only)");
  for (const auto& folder : folders_) {
    std::error_code ec;
    const fs::path candidate = folder / std::string(name);
    if (fs::is_regular_file(candidate / "region.toml", ec)) return candidate;
  }
  std::string looked;
  for (const auto& folder : folders_) looked += "\n  " + (folder / std::string(name)).string();
  if (looked.empty()) looked = " (the search path is empty)";
  return make_error(RegionError::not_found,
                    "region \"" + std::string(name) + "\" not found; looked for region.toml in:" +
                        looked + "\n(--profile-dir or CARDD_PROFILE_PATH add folders)");
}

Result<Region> SearchPath::find(std::string_view name) const {
  auto folder = locate(name);
  if (!folder) return folder.error();
  auto region = load_region(*folder);
  if (!region) return region.error();
  // Selected through the "default" link: keep the name the region has on disk.
  std::error_code ec;
  const fs::path real = fs::canonical(*folder, ec);
  if (!ec) region->id = real.filename().string();
  return region;
}

}  // namespace cardd::region
