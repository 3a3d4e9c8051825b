// Values as the chip holds them (the profile's encodings), both ways.
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/civil_time.h"
#include "cardd/common/result.h"
#include "cardd/personalization/card_profile.h"

namespace cardd::personalization {

// `value` is text for an/cn (digits)/gb18030 (UTF-8) and raw bytes for binary.
Result<card::Bytes> encode_chip_value(Encoding encoding, std::size_t length, std::string_view value,
                                      std::uint8_t pad = 0x00);
// The text back (padding removed); binary comes back as upper-case hex.
Result<std::string> decode_chip_value(Encoding encoding, card::ByteView bytes);

// "YYYYMMDD" of a date.
std::string compact_date(const CivilDate& d);

}  // namespace cardd::personalization
