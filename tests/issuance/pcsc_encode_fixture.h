// The fixture of the end-to-end tests through a real pcscd, vpcd and vcard
// processes, driven with the operator's commands (cardctl).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "issuance_fixture.h"
#include "pcscd.h"

namespace cardd::test {

constexpr const char* kSlot = "Virtual PCD 00 00";

class EncodeThroughPcsc : public IssuanceFixture {
 protected:
  using IssuanceFixture::IssuanceFixture;

  void SetUp() override {
    IssuanceFixture::SetUp();
    std::string error;
    pcscd_ = ensure_pcscd(kSlot, error);
    ASSERT_TRUE(error.empty()) << error;
    add_lot("LOT-A", "CAFE0001", 20);
  }

  void TearDown() override { remove_card(); }

  // A blank card (IC serial `serial`) with the issuer's diversified keys.
  void insert_card(const std::string& serial, const std::vector<std::string>& faults = {}) {
    remove_card();
    std::vector<std::string> args{
        "--port",   "35963", "--state", (dir_.path() / ("card-" + serial + ".json")).string(),
        "--serial", serial,  "--kmc",   kTestKmc};
    add_cipher(args);
    args.insert(args.end(), faults.begin(), faults.end());
    std::string error;
    vcard_ = insert_vcard(kSlot, args, error);
    ASSERT_TRUE(error.empty()) << error;
  }

  // A card machine's hopper of `count` blank cards from IC serial `first`;
  // ejected cards are kept in out/<SERIAL>.json.
  void insert_hopper(const std::string& first, int count) {
    remove_card();
    std::vector<std::string> args{
        "--port", "35963", "--hopper", std::to_string(count), "--serial",
        first,    "--kmc", kTestKmc,   "--out-dir",           (dir_.path() / "out").string()};
    add_cipher(args);
    std::string error;
    vcard_ = insert_vcard(kSlot, args, error);
    ASSERT_TRUE(error.empty()) << error;
  }

  // The card's cipher follows the profile (AES is vcard's default).
  void add_cipher(std::vector<std::string>& args) const {
    const auto algorithm = profile_.secure_channel.algorithm;
    if (algorithm == hsm::Algorithm::sm4) args.insert(args.end(), {"--cipher", "sm4"});
    if (hsm::is_des(algorithm)) args.insert(args.end(), {"--cipher", "des3"});
  }

  // Waits until pcscd has seen the card go, or the next one would be taken for it.
  void remove_card() {
    if (!vcard_) return;
    EXPECT_EQ(remove_vcard(kSlot, *vcard_), "");
    vcard_.reset();
  }

  RunResult encode(const std::string& id) {
    std::vector<std::string> args{"encode",   id,    "--db",     db_path(),
                                  "--reader", kSlot, "--region", region_name()};
    for (auto& a : hsm_args()) args.push_back(a);
    return cardctl(args);
  }

  // As a counter reads it: with the terminal's keys (the HSM), or without.
  nlohmann::json read_card(bool show_pii = false, bool with_keys = true) {
    std::vector<std::string> args{"read-card", "--reader", kSlot,
                                  "--json",    "--region", region_name()};
    if (show_pii) args.push_back("--show-pii");
    if (with_keys) {
      args.insert(args.end(), {"--hsm", "soft"});
      for (auto& a : hsm_args()) args.push_back(a);
    }
    auto r = cardctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  db::AppState state(const std::string& id) { return store()->status(id)->state; }

  std::optional<ChildProcess> pcscd_;
  std::optional<ChildProcess> vcard_;
};

}  // namespace cardd::test
