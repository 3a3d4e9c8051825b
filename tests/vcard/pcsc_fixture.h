// A real pcscd (started here unless one runs already, with Debian's vpcd
// configuration: slot "Virtual PCD 00 00" on 127.0.0.1:35963) and a vcard
// process inserted in that slot. pcscd always uses /run/pcscd/pcscd.comm, so
// these tests hold the ctest resource lock "pcscd".
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cardd/card/pcsc_reader.h"
#include "cardd/hsm/factory.h"
#include "cardd/vcard/state_file.h"
#include "child_process.h"
#include "hex.h"
#include "pcscd.h"
#include "soft_hsm.h"

namespace cardd::test {

class PcscFixture : public ::testing::Test {
 protected:
  static constexpr const char* kSlot = "Virtual PCD 00 00";

  void SetUp() override {
    std::string error;
    pcscd_ = ensure_pcscd(kSlot, error);
    ASSERT_TRUE(error.empty()) << error;
    insert_card();
  }

  void TearDown() override {
    reader_.reset();
    if (vcard_) vcard_->terminate();
  }

  // (Re)starts the vcard process in the slot; `faults` are vcard options
  // such as {"--remove-after", "2"}.
  void insert_card(const std::vector<std::string>& faults = {}) {
    if (vcard_) {
      // Wait until pcscd has seen the old card go, or the new one would be
      // taken for it.
      vcard_->terminate();
      if (reader_) {
        ASSERT_TRUE(reader_->wait_for_removal(std::chrono::seconds(10)).ok());
      }
    }
    reader_.reset();
    std::vector<std::string> args{
        "--port", "35963", "--state", (dir_.path() / "card.json").string(), "--serial", "CAFE0001"};
    args.insert(args.end(), faults.begin(), faults.end());
    std::string error;
    vcard_ = insert_vcard(kSlot, args, error);
    ASSERT_TRUE(error.empty()) << error;
    auto reader = card::open_pcsc_reader(kSlot);
    ASSERT_TRUE(reader.ok()) << reader.error().describe();
    reader_ = std::move(*reader);
    ASSERT_TRUE(reader_->wait_for_card(std::chrono::seconds(10)).ok());
  }

  // A soft HSM holding the static ENC and MAC keys of the vcard's default
  // key set (404142…4F), imported as two components.
  std::unique_ptr<hsm::Hsm> card_key_hsm() {
    auto h = open_soft_hsm(dir_.path());
    for (const char* name : {"enc", "mac"})
      import_clear_key(*h, hsm::KeySpec{name, hsm::Algorithm::aes128, {hsm::Usage::derive}, 1},
                       hex("404142434445464748494A4B4C4D4E4F"));
    return h;
  }

  // The state file of the card in the slot (or another one in dir_).
  vcard::CardState card_state(const std::string& file = "card.json") {
    std::string error;
    auto s = vcard::load_state((dir_.path() / file).string(), error);
    EXPECT_TRUE(s) << error;
    return s ? *s : vcard::CardState{};
  }

  TempDir dir_;
  std::optional<ChildProcess> pcscd_;
  std::optional<ChildProcess> vcard_;
  std::unique_ptr<card::Reader> reader_;
};

}  // namespace cardd::test
