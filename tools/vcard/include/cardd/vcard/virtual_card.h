// A virtual third-generation social security card as its vendor delivers
// it for personalization: a GlobalPlatform card manager (CPLC, SCP03 or
// SCP02 with real MAC checks, key blocking, life cycle), the social security
// application SSSE and the financial application FIN with their files, and
// the personalization dialogue (INSTALL, STORE DATA of DGIs, SET STATUS),
// then READ RECORD / READ BINARY / VERIFY / INTERNAL AUTHENTICATE on what
// was stored. docs/vcard.md lists every command and status word.
//
// It processes APDUs in-process; the vcard program puts it behind vpcd so
// PC/SC applications reach it through pcscd.
//
// Not thread-safe: one card, one slot, one caller at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cardd/card/reader.h"
#include "cardd/vcard/card_state.h"

namespace cardd::vcard {

// The applications' AIDs: the card manager (A000000151000000), the social
// security application (DDF name "sx1.sh.社会保障", GBK) and FIN
// (A000000333010101).
const Bytes& card_manager_aid();
const Bytes& social_security_aid();
const Bytes& financial_aid();

class VirtualCard {
 public:
  explicit VirtualCard(CardState state);
  ~VirtualCard();
  VirtualCard(const VirtualCard&) = delete;
  VirtualCard& operator=(const VirtualCard&) = delete;

  Bytes atr() const;
  // Power-up or reset: ends any secure channel, selection and PIN
  // verification.
  void reset();
  // One command APDU in, the response APDU (data + SW1 SW2) out; never
  // throws, a broken command gets a status word.
  Bytes process(ByteView command);
  const CardState& state() const;
  // Grows whenever the persistent state may have changed: the owner saves
  // the state when it moved.
  std::uint64_t generation() const;

  // Fault injection: power is lost in the middle of the last STORE DATA, so
  // only the first half of the DGI it wrote last reached the EEPROM.
  void tear_last_store();
  // Fault injection: the card's and the applications' life cycles go back to
  // those of `previous` after a SET STATUS the card answered, as if the
  // status write had failed silently.
  void restore_life_cycles(const CardState& previous);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A Reader whose card is a VirtualCard in this process: fast unit tests and
// benchmarks of the whole dialogue without pcscd.
class InProcessReader final : public card::Reader {
 public:
  explicit InProcessReader(VirtualCard& card) : card_(card) {}
  std::string name() const override { return "in-process virtual card"; }
  Result<card::Bytes> connect() override;
  Status disconnect() override { return {}; }
  Result<card::ResponseApdu> transmit(const card::CommandApdu& command) override;
  Status wait_for_card(std::chrono::milliseconds) override { return {}; }
  Status wait_for_removal(std::chrono::milliseconds) override { return {}; }

 private:
  VirtualCard& card_;
};

}  // namespace cardd::vcard
