// The data items data preparation produces, by name, and how each may be
// written on the chip. The card profile names items; this is the catalogue
// it is checked against.
#pragma once

#include <optional>
#include <string_view>

#include "cardd/personalization/card_profile.h"

namespace cardd::personalization {

struct DataItem {
  std::string_view name;
  Encoding encoding;
  // Exact chip length in bytes when the value has one fixed size (0: any).
  std::size_t fixed_length;
};

// nullptr for an unknown name.
const DataItem* find_data_item(std::string_view name);

// Filled in by the encoding session once the chip is known.
inline constexpr std::string_view kCardIdentificationCode = "card.identification_code";

}  // namespace cardd::personalization
