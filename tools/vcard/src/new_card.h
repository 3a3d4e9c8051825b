// A blank card as the vcard command line describes it: serial, cipher and
// static keys (given, or diversified from a master key per serial).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cardd/vcard/card_state.h"

namespace cardd::vcard {

struct NewCard {
  std::string serial = "00000001";
  std::string cipher = "aes";
  std::string kmc;
  std::string kdf = "sp800-108-cmac";  // SCP03 keys from --kmc: or kdf3
  std::string enc = "404142434445464748494A4B4C4D4E4F", mac = enc, dek = enc;
  std::string scp02_i = "55";
  int auth_limit = 0;  // > 0: failed EXTERNAL AUTHENTICATEs before the keys block
};

// nullopt and `error` set when an option is malformed.
std::optional<CardState> make_card(const NewCard& n, std::string& error);

// The serial `offset` cards after `first` (8 hex digits), nullopt when it
// would not fit in 32 bits.
std::optional<std::string> serial_after(const std::string& first, std::uint32_t offset);

}  // namespace cardd::vcard
