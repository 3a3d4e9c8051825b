// A card reader/encoder slot. transmit() is the only card operation: PC/SC,
// the in-process virtual card and fault-injecting wrappers all implement it
// and can stand in for each other.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "cardd/card/apdu.h"
#include "cardd/common/result.h"

namespace cardd::card {

enum class ReaderError {
  no_reader = 1,  // no reader matches
  no_card,        // no card in the slot (or it was removed)
  card_removed,   // the card left during an exchange
  mute_card,      // the card does not answer
  reader_lost,    // the reader itself went away
  protocol,       // transport-level failure (T=0/T=1)
  timeout,        // waiting for insertion or removal timed out
  no_service,     // the PC/SC service (pcscd) is not running
};
const std::error_category& reader_category();
inline std::error_code make_error_code(ReaderError e) {
  return {static_cast<int>(e), reader_category()};
}

// Thread safety: one Reader per worker; different Readers may be used from
// different threads at once.
class Reader {
 public:
  virtual ~Reader() = default;
  virtual std::string name() const = 0;
  // Powers the card and returns its ATR.
  virtual Result<Bytes> connect() = 0;
  virtual Status disconnect() = 0;
  // One command/response exchange, exactly as the card answered (no T=0
  // handling: see transmit_all()).
  virtual Result<ResponseApdu> transmit(const CommandApdu& command) = 0;
  virtual Status wait_for_card(std::chrono::milliseconds timeout) = 0;
  virtual Status wait_for_removal(std::chrono::milliseconds timeout) = 0;
  // Hands the card to the machine's feeder, which moves it out of the slot
  // (and brings the next blank card). Ok once the card has left; a slot
  // without a feeder just lets the card go, as here.
  virtual Status eject() { return disconnect(); }
};

// transmit() plus the T=0 conventions: 61xx → GET RESPONSE until done
// (data concatenated), 6Cxx → the same command again with Le = xx. Every
// exchange is traced at debug level; the data of key-bearing commands
// (STORE DATA, PUT KEY, EXTERNAL AUTHENTICATE, VERIFY, …) is redacted.
Result<ResponseApdu> transmit_all(Reader& reader, const CommandApdu& command);

}  // namespace cardd::card

template <>
struct std::is_error_code_enum<cardd::card::ReaderError> : std::true_type {};
