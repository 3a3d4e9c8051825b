// The card's side of SCP03: answers INITIALIZE UPDATE, checks EXTERNAL
// AUTHENTICATE, then checks C-MAC / decrypts every command and protects the
// responses at the level the host chose.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "card_crypto.h"
#include "cardd/card/apdu.h"

namespace cardd::vcard {

using card::CommandApdu;

class CardScp03 {
 public:
  // Response data of INITIALIZE UPDATE (KDD | KVN | 03 | i | card challenge
  // | card cryptogram | sequence counter); starts a new, unauthenticated session.
  Bytes initialize_update(const StaticKeys& keys, ByteView kdd, ByteView host_challenge,
                          ByteView card_challenge, std::uint32_t sequence);
  // Status word: 9000 when the host cryptogram and C-MAC verify.
  std::uint16_t external_authenticate(const CommandApdu& command);
  // The command with MAC removed and data decrypted, or the status word to
  // answer (6982: bad MAC, no session).
  std::variant<CommandApdu, std::uint16_t> unwrap(const CommandApdu& command);
  // Response data with R-ENC / R-MAC applied (error SWs are sent as they are).
  Bytes protect_response(Bytes data, std::uint16_t sw);

  bool authenticated() const { return authenticated_; }
  void reset() { *this = CardScp03{}; }

 private:
  Cipher cipher_ = Cipher::aes;
  Bytes s_enc_, s_mac_, s_rmac_;
  Bytes context_;
  Bytes chaining_ = Bytes(16, 0);
  std::uint64_t counter_ = 0;
  std::uint8_t level_ = 0;
  bool initialized_ = false;
  bool authenticated_ = false;
};

}  // namespace cardd::vcard
