// The card photo as the chip stores it: the bureau's JPEG, requantized at
// falling quality until it fits the profile's size limit (the 358×441
// dimensions are kept).
#pragma once

#include <string_view>

#include "cardd/card/ber_tlv.h"
#include "cardd/common/result.h"

namespace cardd::personalization {

// The photo unchanged when it fits; else requantized (quality 85 down to 20).
// Errors: prepare.bad_value (not a decodable JPEG), prepare.too_long (does
// not fit even at the lowest quality).
Result<card::Bytes> photo_for_chip(std::string_view jpeg, std::size_t max_bytes);

}  // namespace cardd::personalization
