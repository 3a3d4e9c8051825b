#include "chip_values.h"
#include "cardd/common/hex.h"

#include <fmt/format.h>

#include <algorithm>

#include "cardd/personalization/card_data.h"

namespace cardd::personalization {
namespace {

bool is_an(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ';
}

bool is_ans(char c) { return c >= 0x20 && c <= 0x7E; }

Error bad(std::string message) { return make_error(PrepareError::bad_value, std::move(message)); }

}  // namespace

std::string compact_date(const CivilDate& d) {
  return fmt::format("{:04}{:02}{:02}", d.year, d.month, d.day);
}

Result<card::Bytes> encode_chip_value(Encoding encoding, std::size_t length, std::string_view value,
                                      std::uint8_t pad) {
  switch (encoding) {
    case Encoding::an:
    case Encoding::ans: {
      const auto allowed = encoding == Encoding::an ? is_an : is_ans;
      if (value.size() != length || !std::all_of(value.begin(), value.end(), allowed))
        return bad(fmt::format("{} value must be exactly {} characters",
                               encoding == Encoding::an ? "an" : "ans", length));
      return card::Bytes(value.begin(), value.end());
    }
    case Encoding::cn: {
      if (value.size() > length * 2 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return bad(fmt::format("cn value must be at most {} digits", length * 2));
      card::Bytes out(length, 0xFF);
      for (std::size_t i = 0; i < value.size(); ++i) {
        const auto nibble = static_cast<std::uint8_t>(value[i] - '0');
        std::uint8_t& b = out[i / 2];
        b = i % 2 == 0 ? static_cast<std::uint8_t>(nibble << 4 | 0x0F)
                       : static_cast<std::uint8_t>((b & 0xF0) | nibble);
      }
      return out;
    }
    case Encoding::gb18030: {
      auto bytes = to_gb18030(value);
      if (!bytes) return bytes.error();
      if (bytes->size() > length)
        return make_error(
            PrepareError::too_long,
            fmt::format("{} bytes of GB 18030 do not fit {} bytes", bytes->size(), length));
      bytes->resize(length, pad);
      return bytes;
    }
    case Encoding::binary:
      if (value.size() > length)
        return make_error(PrepareError::too_long,
                          fmt::format("{} bytes do not fit {} bytes", value.size(), length));
      return card::Bytes(value.begin(), value.end());
  }
  return bad("unknown encoding");
}

Result<std::string> decode_chip_value(Encoding encoding, card::ByteView bytes) {
  switch (encoding) {
    case Encoding::an:
    case Encoding::ans: {
      const auto allowed = encoding == Encoding::an ? is_an : is_ans;
      if (!std::all_of(bytes.begin(), bytes.end(),
                       [&](std::uint8_t b) { return allowed(static_cast<char>(b)); }))
        return bad("the value holds characters its encoding does not allow");
      return std::string(bytes.begin(), bytes.end());
    }
    case Encoding::cn: {
      std::string out;
      for (const std::uint8_t b : bytes) {
        for (const int nibble : {b >> 4, b & 0x0F}) {
          if (nibble == 0x0F) return out;
          if (nibble > 9) return bad("cn value holds a non-digit nibble");
          out.push_back(static_cast<char>('0' + nibble));
        }
      }
      return out;
    }
    case Encoding::gb18030: {
      std::size_t end = bytes.size();
      while (end > 0 && (bytes[end - 1] == 0x00 || bytes[end - 1] == 0xFF)) --end;
      return from_gb18030(bytes.first(end));
    }
    case Encoding::binary:
      return to_hex(bytes, HexCase::upper);
  }
  return bad("unknown encoding");
}

}  // namespace cardd::personalization
