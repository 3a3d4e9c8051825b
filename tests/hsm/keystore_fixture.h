// A soft keystore in a temporary directory, opened through open_hsm as cardd
// opens it, with its raw bytes at hand for damage tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cardd/hsm/factory.h"
#include "child_process.h"
#include "secret_file.h"

namespace cardd::hsm::test {

class KeystoreTest : public ::testing::Test {
 protected:
  HsmConfig config(const std::string& passphrase = "right passphrase", bool create = false) const {
    cardd::test::write_secret_file(secret_, passphrase);
    HsmConfig c;
    c.soft.keystore_path = store_;
    c.soft.create = create;
    c.soft.passphrase_file = secret_;
    return c;
  }
  Result<std::unique_ptr<Hsm>> open(const std::string& passphrase = "right passphrase",
                                    bool create = false) {
    return open_hsm(config(passphrase, create));
  }
  std::unique_ptr<Hsm> create() {
    auto hsm = open("right passphrase", true);
    EXPECT_TRUE(hsm.ok()) << hsm.error().describe();
    return hsm.ok() ? std::move(*hsm) : nullptr;
  }
  std::vector<char> bytes() const {
    std::ifstream in(store_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write(const std::vector<char>& b) const {
    std::ofstream(store_, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
  }

  void make_two_keys() {
    auto hsm = create();
    ASSERT_NE(hsm, nullptr);
    ASSERT_TRUE(hsm->generate(KeySpec{"a", Algorithm::aes256, {Usage::encrypt}, 1}).ok());
    ASSERT_TRUE(hsm->generate(KeySpec{"b", Algorithm::des3_2key, {Usage::mac}, 1}).ok());
  }

  cardd::test::TempDir dir_;
  std::string store_ = (dir_.path() / "keys.cks").string();
  std::string secret_ = (dir_.path() / "secret").string();
};

}  // namespace cardd::hsm::test
