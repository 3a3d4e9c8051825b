// A card machine's input hopper in front of one vpcd slot: a stack of blank
// cards with consecutive IC serials (so one stock lot covers them). When the
// host ejects the card in the slot it leaves and, after the feed delay, the
// next blank card comes in; an empty hopper leaves the slot empty.
#pragma once

#include <string>

#include "new_card.h"
#include "slot.h"

namespace cardd::vcard {

struct HopperOptions {
  int count = 0;  // cards in the stack
  NewCard first;  // the first card; the others differ by serial only
  int feed_delay_ms = 50;
  std::string out_dir;  // each card's state as <SERIAL>.json, kept after it left; "" = none
};

// Feeds the stack into the slot; returns the process's exit code (0 when
// vpcd went away or a fault pulled a card, 1 when vpcd is unreachable, 2 for
// bad options). With the stack used up it keeps running with the slot empty.
int run_hopper(const HopperOptions& hopper, const SlotOptions& slot);

}  // namespace cardd::vcard
