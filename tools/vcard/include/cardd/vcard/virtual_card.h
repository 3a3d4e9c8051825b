// A virtual third-generation social security card: the GlobalPlatform card
// manager of a pre-personalized chip (CPLC, SCP03 with real MAC checks, STORE
// DATA, life cycle). It processes APDUs in-process; the vcard program puts it
// behind vpcd so PC/SC applications reach it through pcscd.
//
// Not thread-safe: one card, one slot, one caller at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cardd/personalization/reader.h"

namespace cardd::vcard {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// aes / sm4: SCP03; des3: SCP02 (2-key 3DES).
enum class Cipher { aes, sm4, des3 };

struct StaticKeys {
  Cipher cipher = Cipher::aes;
  Bytes enc, mac, dek;
  std::uint8_t version = 0x30;
  std::uint8_t scp02_i = 0x55;  // SCP02 option: 0x15 or 0x55 (ICV encrypted)
};

// GlobalPlatform card life cycle states.
enum class LifeCycle : std::uint8_t {
  op_ready = 0x01,
  initialized = 0x07,
  secured = 0x0F,
  locked = 0x7F
};

struct CardState {
  Bytes serial = Bytes(4, 0);  // IC serial number, CPLC bytes 13–16
  StaticKeys keys;
  LifeCycle life_cycle = LifeCycle::initialized;
  std::uint32_t sequence = 0;           // SCP03 sequence counter
  std::map<std::uint16_t, Bytes> dgis;  // personalization data received
};

// The social security application's AID (DDF name "sx1.sh.社会保障", GBK).
const Bytes& social_security_aid();

class VirtualCard {
 public:
  explicit VirtualCard(CardState state);
  ~VirtualCard();
  VirtualCard(const VirtualCard&) = delete;
  VirtualCard& operator=(const VirtualCard&) = delete;

  Bytes atr() const;
  // Power-up or reset: ends any secure channel and selection.
  void reset();
  // One command APDU in, the response APDU (data + SW1 SW2) out; never
  // throws, a broken command gets a status word.
  Bytes process(ByteView command);
  const CardState& state() const;

  // Fault injection: power is lost in the middle of the last STORE DATA, so
  // only the first half of the DGI it wrote reached the EEPROM.
  void tear_last_store();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A Reader whose card is a VirtualCard in this process: fast unit tests and
// benchmarks of the whole dialogue without pcscd.
class InProcessReader final : public personalization::Reader {
 public:
  explicit InProcessReader(VirtualCard& card) : card_(card) {}
  std::string name() const override { return "in-process virtual card"; }
  Result<personalization::Bytes> connect() override;
  Status disconnect() override { return {}; }
  Result<personalization::ResponseApdu> transmit(
      const personalization::CommandApdu& command) override;
  Status wait_for_card(std::chrono::milliseconds) override { return {}; }
  Status wait_for_removal(std::chrono::milliseconds) override { return {}; }

 private:
  VirtualCard& card_;
};

}  // namespace cardd::vcard
