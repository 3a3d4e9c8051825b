// The issuer security domain (card manager): opens the secure channel
// (SCP03 for aes/sm4, SCP02 for des3), counts failed authentications, and
// takes the personalization and card management — INSTALL [for
// personalization], STORE DATA, SET STATUS, GET STATUS — only inside an
// authenticated channel.
#pragma once

#include <optional>

#include "card_scp02.h"
#include "card_scp03.h"
#include "dgi_stream.h"
#include "personalize.h"
#include "reply.h"

namespace cardd::vcard {

class CardManager {
 public:
  explicit CardManager(CardState& state) : state_(state) {}
  CardManager(const CardManager&) = delete;
  CardManager& operator=(const CardManager&) = delete;

  static bool handles(std::uint8_t ins);
  // A command for the ISD (handles(ins) is true).
  Reply handle(const CommandApdu& c);
  // Ends the secure channel and the personalization session.
  void reset();
  // What the last STORE DATA wrote last (for the tearing fault).
  const std::optional<Written>& last_written() const { return last_written_; }

 private:
  bool scp02() const { return state_.keys.cipher == Cipher::des3; }
  Reply initialize_update(const CommandApdu& c);
  Reply external_authenticate(const CommandApdu& c);
  Reply secured(const CommandApdu& c);
  // A command whose MAC (and encryption) the channel has taken off.
  Reply execute(const CommandApdu& c);
  Reply store_data(const CommandApdu& c);
  Reply install(const CommandApdu& c);
  Reply set_status(const CommandApdu& c);
  Reply get_status(const CommandApdu& c);

  CardState& state_;
  CardScp03 scp03_;
  CardScp02 scp02_;
  // The application STORE DATA personalizes; INSTALL changes it.
  Application target_ = Application::ssse;
  DgiStream stream_;
  std::optional<Written> last_written_;
};

}  // namespace cardd::vcard
