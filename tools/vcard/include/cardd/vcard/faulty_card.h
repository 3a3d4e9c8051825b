// A VirtualCard that misbehaves on purpose, the way real cards and readers
// do in production: pulled out, mute, torn by a power loss, flaky EEPROM,
// wrong MACs or cryptograms. The card itself stays correct; the faults are
// played around it (LevelDB's EnvWrapper idea), so the vcard program and
// in-process tests share them.
#pragma once

#include <cstdint>
#include <optional>

#include "cardd/vcard/virtual_card.h"

namespace cardd::vcard {

struct Faults {
  int remove_after = 0;       // > 0: the card leaves instead of answering APDU N+1
  int mute_after = 0;         // > 0: from APDU N+1 on the card never answers
  int tear_store_data = 0;    // > 0: power is lost during the Nth STORE DATA
  bool corrupt_rmac = false;  // secured responses carry a wrong R-MAC
  // READ RECORD with P1 (record number or tag) == N: the last data byte of
  // the answer is flipped (XOR 01), as from a flaky EEPROM.
  std::optional<std::uint8_t> corrupt_read;
  bool wrong_internal_auth = false;  // INTERNAL AUTHENTICATE: first byte XOR 01
  // SET STATUS is answered 9000 but the life cycle stays where it was, as on
  // a card whose status write fails silently: it can be neither locked nor
  // terminated.
  bool ignore_set_status = false;
  // Commands with this instruction byte are refused with `refused_sw`
  // without reaching the card (the host sees the status word).
  std::optional<std::uint8_t> refused_ins;
  std::uint16_t refused_sw = 0x6A80;
  bool short_cplc = false;  // GET DATA CPLC answers a 9F7F of 5 bytes instead of 42
};

class FaultyCard {
 public:
  enum class Outcome {
    answer,   // send `response`
    removed,  // the card left the reader before this APDU
    torn,     // the card lost power while processing this APDU (no answer)
    mute,     // the card is in the reader but never answers
  };
  struct Reaction {
    Outcome outcome = Outcome::answer;
    Bytes response;
  };

  // `card` must outlive this object.
  FaultyCard(VirtualCard& card, Faults faults) : card_(card), faults_(faults) {}

  Reaction process(ByteView command);

 private:
  VirtualCard& card_;
  Faults faults_;
  int apdus_ = 0;
  int stores_ = 0;
};

}  // namespace cardd::vcard
