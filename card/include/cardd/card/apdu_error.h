// Errors of the card protocol layer (BER-TLV, APDU, status words), as
// std::error_code categories "tlv" and "apdu".
#pragma once

#include <system_error>

namespace cardd::card {

enum class TlvError {
  truncated = 1,  // a tag, length or value runs past the end
  bad_length,     // indefinite or over-long length field
  bad_tag,        // tag longer than 4 bytes
  too_deep,       // constructed objects nested beyond the limit
};

enum class ApduError {
  malformed = 1,  // not a valid command/response encoding
  too_long,       // data or Le beyond what the encoding can carry
};

const std::error_category& tlv_category();
const std::error_category& apdu_category();
inline std::error_code make_error_code(TlvError e) { return {static_cast<int>(e), tlv_category()}; }
inline std::error_code make_error_code(ApduError e) {
  return {static_cast<int>(e), apdu_category()};
}

}  // namespace cardd::card

template <>
struct std::is_error_code_enum<cardd::card::TlvError> : std::true_type {};
template <>
struct std::is_error_code_enum<cardd::card::ApduError> : std::true_type {};
