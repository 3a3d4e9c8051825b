// The card's side of SCP02 (3DES, i = 15 or 55): INITIALIZE UPDATE,
// EXTERNAL AUTHENTICATE and C-MAC / C-DECRYPTION checks.
#pragma once

#include <cstdint>
#include <variant>

#include "card_crypto.h"
#include "cardd/card/apdu.h"

namespace cardd::vcard {

class CardScp02 {
 public:
  Bytes initialize_update(const StaticKeys& keys, ByteView kdd, ByteView host_challenge,
                          ByteView card_challenge, std::uint16_t sequence);
  std::uint16_t external_authenticate(const card::CommandApdu& command);
  std::variant<card::CommandApdu, std::uint16_t> unwrap(const card::CommandApdu& command);
  bool authenticated() const { return authenticated_; }
  // Session DEK (derivation constant 01 81): sensitive DGIs are encrypted under it.
  const Bytes& session_dek() const { return s_dek_; }
  void reset() { *this = CardScp02{}; }

 private:
  bool check_mac(const card::CommandApdu& plain, ByteView mac);

  Bytes s_enc_, s_mac_, s_dek_;
  Bytes host_cryptogram_;
  Bytes last_mac_;
  std::uint8_t i_ = 0x55;
  std::uint8_t level_ = 0;
  bool initialized_ = false;
  bool authenticated_ = false;
};

}  // namespace cardd::vcard
