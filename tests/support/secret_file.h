// Secret files as the HSM accepts them: owner-only (0600). Group- or
// other-readable ones are refused (hsm/src/files/private_file.h).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace cardd::test {

// Writes `text` and a newline to `path`, mode 0600.
inline void write_secret_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text << "\n";
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace);
}

}  // namespace cardd::test
