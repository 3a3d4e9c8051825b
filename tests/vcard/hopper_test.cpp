// vcard --hopper through real pcscd + vpcd: a card machine's stack of blank
// cards with consecutive serials. Reader::eject() moves the card out and the
// next one comes in; resets and power cycles inside a session do not; an
// empty hopper leaves the slot empty.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "cardd/card/pcsc_reader.h"
#include "cardd/common/hex.h"
#include "cardd/vcard/state_file.h"
#include "child_process.h"
#include "pcscd.h"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;
constexpr const char* kSlot = "Virtual PCD 00 00";

class Hopper : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    pcscd_ = ensure_pcscd(kSlot, error);
    ASSERT_TRUE(error.empty()) << error;
  }

  void TearDown() override {
    reader_.reset();
    if (!vcard_) return;
    vcard_->terminate();
    // The next test must not take this card for its own.
    if (auto r = card::open_pcsc_reader(kSlot); r.ok()) (void)(*r)->wait_for_removal(10s);
  }

  void start(const std::vector<std::string>& options) {
    std::vector<std::string> args{"--port", "35963", "--kmc", "404142434445464748494A4B4C4D4E4F"};
    args.insert(args.end(), options.begin(), options.end());
    std::string error;
    vcard_ = insert_vcard(kSlot, args, error);
    ASSERT_TRUE(error.empty()) << error;
    auto reader = card::open_pcsc_reader(kSlot);
    ASSERT_TRUE(reader.ok()) << reader.error().describe();
    reader_ = std::move(*reader);
  }

  // The IC serial of the card in the slot (CPLC bytes 12–15), read in a
  // session of its own.
  std::string serial() {
    if (auto s = reader_->wait_for_card(10s); !s) return s.error().describe();
    if (auto atr = reader_->connect(); !atr) return atr.error().describe();
    auto cplc = card::transmit_all(*reader_, card::CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
    if (!cplc) return cplc.error().describe();
    if (cplc->data.size() != 45) return "CPLC of " + std::to_string(cplc->data.size()) + " bytes";
    return to_hex(card::ByteView(cplc->data).subspan(15, 4), HexCase::upper);
  }

  TempDir dir_;
  std::optional<ChildProcess> pcscd_;
  std::optional<ChildProcess> vcard_;
  std::unique_ptr<card::Reader> reader_;
};

TEST_F(Hopper, EjectBringsTheNextSerialUntilTheStackIsEmpty) {
  const auto out = dir_.path() / "out";
  start({"--hopper", "3", "--first-serial", "0A0000FF", "--out-dir", out.string()});
  for (const char* expected : {"0A0000FF", "0A000100", "0A000101"}) {
    EXPECT_EQ(serial(), expected);
    const auto s = reader_->eject();
    ASSERT_TRUE(s.ok()) << s.error().describe();
  }
  const auto none = reader_->wait_for_card(1500ms);
  ASSERT_FALSE(none.ok()) << "the empty hopper left a card in the slot";
  EXPECT_EQ(none.error().code, card::ReaderError::timeout);
  EXPECT_NE(none.error().message.find("no card in the slot"), std::string::npos)
      << none.error().describe();
  EXPECT_EQ(reader_->connect().error().code, card::ReaderError::no_card);

  // The finished cards are kept, one state file each, under their serial.
  for (const char* kept : {"0A0000FF", "0A000100", "0A000101"}) {
    std::string error;
    const auto card = vcard::load_state((out / (std::string(kept) + ".json")).string(), error);
    ASSERT_TRUE(card) << error;
    EXPECT_EQ(to_hex(card->serial, HexCase::upper), kept);
  }
  // vcard says so once and keeps running with the slot empty.
  vcard_->terminate();
  const std::string err = vcard_->stderr_text();
  EXPECT_NE(err.find("hopper is empty"), std::string::npos) << err;
  EXPECT_EQ(err.find("hopper is empty"), err.rfind("hopper is empty")) << err;
}

TEST_F(Hopper, ResetsAndPowerCyclesDoNotAdvanceTheStack) {
  start({"--hopper", "2", "--serial", "CAFE0001", "--feed-delay-ms", "0"});
  EXPECT_EQ(serial(), "CAFE0001");
  // connect() resets the card (SCardDisconnect with SCARD_RESET_CARD first),
  // as an encoding session that reconnects does.
  EXPECT_EQ(serial(), "CAFE0001");
  ASSERT_TRUE(reader_->disconnect().ok());
  // Idle, pcscd powers the card down within a poll or two; connecting powers
  // it up again.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(serial(), "CAFE0001");
  ASSERT_TRUE(reader_->eject().ok());
  EXPECT_EQ(serial(), "CAFE0002");
}

TEST_F(Hopper, WithoutAHopperEjectLeavesTheCardInTheSlot) {
  start({"--state", (dir_.path() / "card.json").string(), "--serial", "CAFE0009"});
  EXPECT_EQ(serial(), "CAFE0009");
  const auto s = reader_->eject();
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_TRUE(reader_->wait_for_card(100ms).ok());
  EXPECT_EQ(serial(), "CAFE0009");
}

}  // namespace
}  // namespace cardd::test
