#include "cardd/common/hex.h"

namespace cardd {
namespace {

void append(std::string& out, std::uint8_t b, const char* digits) {
  out += digits[b >> 4];
  out += digits[b & 0x0F];
}

const char* digits_of(HexCase letters) {
  return letters == HexCase::upper ? "0123456789ABCDEF" : "0123456789abcdef";
}

}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes, HexCase letters,
                   std::string_view separator) {
  const char* digits = digits_of(letters);
  std::string out;
  out.reserve(bytes.size() * (2 + separator.size()));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) out += separator;
    append(out, bytes[i], digits);
  }
  return out;
}

std::string to_hex(std::string_view bytes, HexCase letters) {
  const char* digits = digits_of(letters);
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) append(out, static_cast<std::uint8_t>(c), digits);
  return out;
}

std::optional<std::uint8_t> hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

std::optional<std::size_t> decode_hex(std::string_view text, std::span<std::uint8_t> out,
                                      std::string_view separators) {
  std::size_t digits = 0;
  for (const char c : text) {
    if (separators.find(c) != std::string_view::npos) continue;
    const auto v = hex_digit_value(c);
    if (!v || digits / 2 >= out.size()) return std::nullopt;
    std::uint8_t& b = out[digits / 2];
    b = digits % 2 == 0 ? static_cast<std::uint8_t>(*v << 4) : static_cast<std::uint8_t>(b | *v);
    ++digits;
  }
  if (digits % 2 != 0) return std::nullopt;
  return digits / 2;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text,
                                                  std::string_view separators) {
  std::vector<std::uint8_t> out(text.size() / 2);
  const auto n = decode_hex(text, out, separators);
  if (!n) return std::nullopt;
  out.resize(*n);
  return out;
}

}  // namespace cardd
