// A soft-backend HSM in a test's temporary directory, and known key values
// imported the way a key ceremony does (two components), for tests that
// need the card side to hold the same keys.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cardd/hsm/factory.h"
#include "cardd/hsm/hsm.h"
#include "secret_file.h"

namespace cardd::test {

// The keystore is created (explicitly, create = true) by the first HSM opened
// on `dir`; later ones open it as cardd does, without create.
inline hsm::HsmConfig soft_hsm_config(const std::filesystem::path& dir) {
  const auto secret = dir / "keystore-passphrase";
  if (!std::filesystem::exists(secret)) write_secret_file(secret, "cardd test keystore");
  hsm::HsmConfig c;
  c.soft.keystore_path = (dir / "keys.cks").string();
  c.soft.create = !std::filesystem::exists(c.soft.keystore_path);
  c.soft.passphrase_file = secret.string();
  return c;
}

inline std::unique_ptr<hsm::Hsm> open_soft_hsm(const std::filesystem::path& dir) {
  auto opened = hsm::open_hsm(soft_hsm_config(dir));
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().describe());
  return opened.ok() ? std::move(*opened) : nullptr;
}

// value = component 1 XOR component 2, component 1 a fixed non-weak pattern.
inline void import_clear_key(hsm::Hsm& hsm, const hsm::KeySpec& spec,
                             const std::vector<std::uint8_t>& value) {
  std::vector<hsm::SecureBytes> parts;
  parts.emplace_back(value.size());
  parts.emplace_back(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    parts[0][i] = static_cast<std::uint8_t>(0xA5 ^ (i * 7));
    parts[1][i] = static_cast<std::uint8_t>(value[i] ^ parts[0][i]);
  }
  auto imported = hsm.import_components(spec, parts);
  ASSERT_TRUE(imported.ok()) << spec.name << ": " << imported.error().describe();
}

}  // namespace cardd::test
