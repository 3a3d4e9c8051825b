// Checks and KCVs for clear key material (the key ceremony), kept inside hsm/.
#include <fmt/format.h>

#include <array>
#include <cctype>

#include "cardd/common/hex.h"
#include "cardd/hsm/hsm.h"
#include "crypto/block_cipher.h"

namespace cardd::hsm {
namespace {

// FIPS 74 weak and semi-weak DES keys, with odd parity.
constexpr std::array<std::uint64_t, 16> kWeakDes = {
    0x0101010101010101, 0xFEFEFEFEFEFEFEFE, 0xE0E0E0E0F1F1F1F1, 0x1F1F1F1F0E0E0E0E,
    0x01FE01FE01FE01FE, 0xFE01FE01FE01FE01, 0x1FE01FE00EF10EF1, 0xE01FE01FF10EF10E,
    0x01E001E001F101F1, 0xE001E001F101F101, 0x1FFE1FFE0EFE0EFE, 0xFE1FFE1FFE0EFE0E,
    0x011F011F010E010E, 0x1F011F010E010E01, 0xE0FEE0FEF1FEF1FE, 0xFEE0FEE0FEF1FEF1,
};

std::uint8_t with_odd_parity(std::uint8_t b) {
  const std::uint8_t high = b & 0xFE;
  int ones = 0;
  for (int i = 1; i < 8; ++i) ones += (high >> i) & 1;
  return static_cast<std::uint8_t>(high | (ones % 2 == 0 ? 1 : 0));
}

std::uint64_t des_part(const SecureBytes& key, std::size_t part) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | with_odd_parity(key[part * 8 + i]);
  return v;
}

}  // namespace

void fix_parity(Algorithm algorithm, SecureBytes& value) {
  if (!is_des(algorithm)) return;
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = with_odd_parity(value[i]);
}

Status check_key_strength(Algorithm algorithm, const SecureBytes& value) {
  bool all_zero = true;
  for (std::size_t i = 0; i < value.size(); ++i) all_zero = all_zero && value[i] == 0;
  if (all_zero) return make_error(HsmError::weak_key, "all-zero key material");
  if (!is_des(algorithm)) return {};
  const std::size_t parts = value.size() / 8;
  for (std::size_t p = 0; p < parts; ++p)
    for (const std::uint64_t weak : kWeakDes)
      if (des_part(value, p) == weak)
        return make_error(HsmError::weak_key, "a DES weak or semi-weak key part");
  // Equal neighbouring parts collapse 3DES to single DES.
  for (std::size_t p = 0; p + 1 < parts; ++p)
    if (des_part(value, p) == des_part(value, p + 1))
      return make_error(HsmError::weak_key, "3DES key parts repeat (single-DES strength)");
  return {};
}

Result<std::string> kcv_of(Algorithm algorithm, const SecureBytes& value) {
  const Bytes probe(block_size(algorithm), is_des(algorithm) ? 0x00 : 0x01);
  auto out = crypto::crypt(algorithm, value, true, CipherMode::ecb, {}, probe);
  if (!out) return out.error();
  return to_hex(ByteView(*out).first(3), HexCase::upper);
}

Result<SecureBytes> parse_key_hex(Algorithm algorithm, std::string_view hex) {
  constexpr std::string_view kSeparators = " :-";
  SecureBytes out(key_length(algorithm));
  std::size_t digits = 0;
  for (const char c : hex) {
    if (kSeparators.find(c) != std::string_view::npos) continue;
    if (!hex_digit_value(c))
      return make_error(HsmError::invalid_argument, "key material must be hexadecimal");
    ++digits;
  }
  // Decoded straight into wiping memory: the key never sits in a plain vector.
  if (digits != out.size() * 2 || decode_hex(hex, out.span(), kSeparators) != out.size())
    return make_error(
        HsmError::invalid_argument,
        fmt::format("{} key material is {} hex digits", to_string(algorithm), out.size() * 2));
  return out;
}

bool valid_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
          c == '/' || c == '-'))
      return false;
  return true;
}

}  // namespace cardd::hsm
