// Runs a test against every backend: "soft" (a keystore in a temporary
// directory) and "pkcs11" (a fresh SoftHSM2 token). Tests of operations a
// backend cannot do check that it says so (mechanism_unsupported) instead of
// skipping.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "cardd/hsm/factory.h"
#include "child_process.h"
#include "hex.h"
#include "softhsm_token.h"

namespace cardd::hsm::test {

using cardd::test::hex;
using cardd::test::to_hex;

class HsmBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;
  HsmConfig config() const;
  std::unique_ptr<Hsm> reopen();

  // Imports known key material as a 2-component ceremony (R, K xor R).
  KeyInfo import_key(const std::string& name, Algorithm algorithm, UsageSet usage,
                     std::string_view key_hex);
  KeyInfo import_key(const KeySpec& spec, std::string_view key_hex);
  bool supports(Algorithm algorithm, const std::string& operation) const;

  cardd::test::TempDir dir_;
  std::optional<cardd::test::SoftHsmToken> token_;
  std::unique_ptr<Hsm> hsm_;
};

std::string backend_name(const ::testing::TestParamInfo<std::string>& info);

// A derive key whose derived keys may have `children` usage, exportable.
inline KeySpec exporting_master(std::string name, Algorithm algorithm, UsageSet children) {
  return KeySpec{
      std::move(name), algorithm, {Usage::derive}, 1, false, DeriveTemplate{children, true}};
}

}  // namespace cardd::hsm::test
