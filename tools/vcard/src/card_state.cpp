#include "cardd/vcard/card_state.h"

namespace cardd::vcard {

std::string_view to_string(Cipher c) {
  switch (c) {
    case Cipher::sm4:
      return "sm4";
    case Cipher::des3:
      return "des3";
    case Cipher::aes:
      break;
  }
  return "aes";
}

std::optional<Cipher> cipher_from_string(std::string_view s) {
  for (const Cipher c : {Cipher::aes, Cipher::sm4, Cipher::des3})
    if (to_string(c) == s) return c;
  return std::nullopt;
}

std::size_t block_size(Cipher c) { return c == Cipher::des3 ? 8 : 16; }

std::string_view to_string(Application a) { return a == Application::ssse ? "SSSE" : "FIN"; }

}  // namespace cardd::vcard
