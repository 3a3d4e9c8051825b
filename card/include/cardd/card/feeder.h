// The card machine's "move the card out of the slot" command. pcsc-lite's
// SCardDisconnect(SCARD_EJECT_CARD) reaches no IFD handler of version 3 (the
// CCID driver, vpcd), so a reader with a feeder is told by a reader
// pseudo-APDU first (class FF, the PC/SC part 3 space cards never see on a
// real reader); docs/decisions.md "Ejecting a card".
#pragma once

#include "cardd/card/apdu.h"

namespace cardd::card {

// FF EE 00 00: answered 90 00 by a slot with a feeder (the simulated hopper,
// vcard --hopper), which then moves the card out; anything else means the
// slot has no feeder and the card stays until someone takes it.
CommandApdu eject_command();
bool is_eject_command(ByteView apdu);

}  // namespace cardd::card
