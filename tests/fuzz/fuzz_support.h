// What the fuzz harnesses that need an HSM share: set-up errors stop the
// fuzzer at once, and a soft HSM with a new keystore in a temporary folder.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "cardd/common/result.h"
#include "cardd/hsm/factory.h"

namespace cardd::fuzz {

template <typename T>
T must(Result<T> r) {
  if (!r) __builtin_trap();
  return std::move(*r);
}

// A new folder "<temp>/<prefix>XXXXXX".
inline std::filesystem::path make_temp_folder(const std::string& prefix) {
  std::string folder = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(folder.data()) == nullptr) __builtin_trap();
  return folder;
}

// The soft HSM with a new keystore in `dir`.
inline std::unique_ptr<hsm::Hsm> open_soft_hsm(const std::filesystem::path& dir) {
  std::ofstream(dir / "passphrase") << "cardd fuzz keystore\n";
  std::filesystem::permissions(
      dir / "passphrase", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  hsm::HsmConfig c;
  c.soft.keystore_path = (dir / "keys.cks").string();
  c.soft.create = true;
  c.soft.passphrase_file = (dir / "passphrase").string();
  return must(hsm::open_hsm(c));
}

}  // namespace cardd::fuzz
