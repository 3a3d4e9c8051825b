// One card in a vpcd reader slot: answers vpcd's control messages and command
// APDUs until the card leaves, persisting every change like a chip's EEPROM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cardd/vcard/card_state.h"
#include "cardd/vcard/faulty_card.h"
#include "vpcd_link.h"

namespace cardd::vcard {

struct SlotOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 35963;
  int connect_timeout_ms = 10000;
  int slow_ms = 0;
  bool trace = false;
  // Every power-up or reset brings back the card as it was inserted; nothing
  // is persisted.
  bool fresh_on_reset = false;
  Faults faults;
  // The slot has a feeder: the eject command (cardd/card/feeder.h) is
  // answered 90 00 and the card leaves. Without one the card answers it.
  bool feeder = false;
};

enum class Departure {
  closed,       // vpcd closed the link (pcscd stopped)
  pulled,       // a fault took the card out (--remove-after, --tear-store-data)
  ejected,      // the host ejected it; the link is still open, the caller drops it
  unreachable,  // vpcd could not be reached again after a mute fault
};

// Connects to vpcd, retrying for `options.connect_timeout_ms`; says why not
// on stderr.
std::optional<VpcdLink> connect_to_vpcd(const SlotOptions& options);

// Serves `card` on `link` (replaced after a mute fault). `state_path` empty:
// the card is not persisted. On return `card` is the card as it left.
Departure serve(std::optional<VpcdLink>& link, CardState& card, const std::string& state_path,
                const SlotOptions& options);

}  // namespace cardd::vcard
