// Command and response APDUs (ISO/IEC 7816-3/-4), short and extended length,
// and the one place status words are checked.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "cardd/card/apdu_error.h"
#include "cardd/card/ber_tlv.h"
#include "cardd/card/status_word.h"
#include "cardd/common/result.h"

namespace cardd::card {

struct CommandApdu {
  std::uint8_t cla = 0;
  std::uint8_t ins = 0;
  std::uint8_t p1 = 0;
  std::uint8_t p2 = 0;
  Bytes data;                       // Lc is its size
  std::optional<std::uint32_t> le;  // expected length; 256 (short) / 65536 (extended) mean "all"

  // Short form when Lc ≤ 255 and Le ≤ 256, else extended. Errors: too_long.
  Result<Bytes> encode() const;
  // Strict: every ISO case (1, 2S/E, 3S/E, 4S/E); anything else is malformed.
  static Result<CommandApdu> parse(ByteView bytes);
};

struct ResponseApdu {
  Bytes data;
  StatusWord sw;

  // At least SW1 SW2. Errors: malformed.
  static Result<ResponseApdu> parse(ByteView bytes);
  Bytes encode() const;
};

// Errors whose code is a status word the card answered: category "sw", the
// code's value is the SW itself (0x6A82), so callers can branch on it.
const std::error_category& status_word_category();

// The single status-word check: ok when the response's SW is one of
// `allowed` (default 9000); otherwise an error in status_word_category whose
// message names `context` and the status word, e.g.
// "SELECT card manager: 6A82 (file or application not found)".
Status check(const ResponseApdu& response, std::string_view context,
             std::initializer_list<StatusWord> allowed = {sw::kSuccess});

// The status word an error from check() carries, nullopt for other errors.
std::optional<StatusWord> status_of(const Error& error);

}  // namespace cardd::card
