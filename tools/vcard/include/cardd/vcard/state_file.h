// The card's persistent state (a chip's EEPROM) as a JSON file, rewritten
// atomically after every change, so the card survives power cycles and
// process restarts. A simulator's card keys and PIN are stored here in clear.
// Files of an older layout are refused (delete them to start a new card).
#pragma once

#include <optional>
#include <string>

#include "cardd/vcard/card_state.h"

namespace cardd::vcard {

std::optional<CardState> load_state(const std::string& path, std::string& error);
bool save_state(const std::string& path, const CardState& state, std::string& error);

}  // namespace cardd::vcard
