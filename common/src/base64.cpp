#include "cardd/common/base64.h"

#include <array>
#include <cstdint>

namespace cardd {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = byte(i) << 16;
    if (rest == 2) n |= byte(i + 1) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::string out;
  out.resize(text.size() / 4 * 3);
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  const std::size_t full_quads = text.size() / 4 - (padding > 0 ? 1 : 0);
  std::uint32_t bad = 0;
  for (std::size_t q = 0; q < full_quads; ++q, in += 4, dst += 3) {
    const std::uint32_t a = kDecode[in[0]], b = kDecode[in[1]], c = kDecode[in[2]],
                        d = kDecode[in[3]];
    bad |= a | b | c | d;
    const std::uint32_t n = (a << 18) | (b << 12) | (c << 6) | d;
    dst[0] = static_cast<unsigned char>(n >> 16);
    dst[1] = static_cast<unsigned char>(n >> 8);
    dst[2] = static_cast<unsigned char>(n);
  }
  // Valid symbols are < 64, so any invalid one sets bit 7 in the OR.
  if (bad & 0x80) return std::nullopt;
  if (padding > 0) {
    const std::uint32_t a = kDecode[in[0]], b = kDecode[in[1]];
    const std::uint32_t c = padding == 2 ? 0 : kDecode[in[2]];
    if ((a | b | c) & 0x80) return std::nullopt;
    const std::uint32_t n = (a << 18) | (b << 12) | (c << 6);
    // Non-canonical encodings (stray bits in the last symbol) are refused.
    if ((padding == 2 && (n & 0xFFFF) != 0) || (padding == 1 && (n & 0xFF) != 0))
      return std::nullopt;
    *dst++ = static_cast<unsigned char>(n >> 16);
    if (padding == 1) *dst++ = static_cast<unsigned char>(n >> 8);
    out.resize(out.size() - padding);
  }
  return out;
}

}  // namespace cardd
