// Hex test data: "9F7F 03" → bytes (spaces ignored), and back (lower case),
// through the codec of common/.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/hex.h"

namespace cardd::test {

// Throws on malformed test data, so a typo fails its test loudly.
inline std::vector<std::uint8_t> hex(std::string_view text) {
  auto bytes = cardd::from_hex(text, " \n");
  if (!bytes) throw std::invalid_argument("malformed hex test data: " + std::string(text));
  return std::move(*bytes);
}

inline std::string to_hex(std::span<const std::uint8_t> bytes) { return cardd::to_hex(bytes); }

}  // namespace cardd::test
