// The one hex codec: bytes to text and back.
//
// Output case is the caller's choice because it is part of a format: hashes and
// test vectors are lower case, while APDU traces, KCVs, CHIP IDs, the card
// identification code and the virtual card's state file are upper case. Decoding
// accepts both cases. None of these functions allocate a copy of the input, so
// key material can be decoded straight into a wiping buffer (`decode_hex`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cardd {

enum class HexCase { lower, upper };

// Two digits per byte, `separator` between bytes ("9F 7F" with " ").
std::string to_hex(std::span<const std::uint8_t> bytes, HexCase letters = HexCase::lower,
                   std::string_view separator = {});
// The bytes of a string (e.g. a SHA-256 digest held in one).
std::string to_hex(std::string_view bytes, HexCase letters = HexCase::lower);

// The value of one hex digit of either case, or nullopt.
std::optional<std::uint8_t> hex_digit_value(char c);

// Decodes `text` into `out`, skipping every character listed in `separators`
// (e.g. " " or " :-"). Returns the number of bytes written, or nullopt when a
// character is neither a digit nor a separator, the digit count is odd, or the
// bytes do not fit `out` (which then holds a partial result).
std::optional<std::size_t> decode_hex(std::string_view text, std::span<std::uint8_t> out,
                                      std::string_view separators = {});

// As decode_hex, into a new vector.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text,
                                                  std::string_view separators = {});

}  // namespace cardd
