#include "cardd/card/apdu.h"

#include <fmt/format.h>

#include <algorithm>

namespace cardd::card {
namespace {

class StatusWordCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sw"; }
  std::string message(int code) const override {
    return StatusWord(static_cast<std::uint16_t>(code)).to_string();
  }
};

Error malformed(std::string_view what) {
  return make_error(ApduError::malformed, std::string(what));
}

std::uint32_t be16(ByteView b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at] << 8 | b[at + 1]);
}

}  // namespace

const std::error_category& status_word_category() {
  static const StatusWordCategory category;
  return category;
}

Result<Bytes> CommandApdu::encode() const {
  if (data.size() > 65535) return make_error(ApduError::too_long, "command data over 65535 bytes");
  if (le && (*le == 0 || *le > 65536))
    return make_error(ApduError::too_long, "Le must be 1..65536");
  const bool extended = data.size() > 255 || (le && *le > 256);
  Bytes out{cla, ins, p1, p2};
  if (!data.empty()) {
    if (extended) {
      out.push_back(0x00);
      out.push_back(static_cast<std::uint8_t>(data.size() >> 8));
    }
    out.push_back(static_cast<std::uint8_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
  }
  if (le) {
    // 256 (short) and 65536 (extended) are encoded as zero.
    if (extended) {
      if (data.empty()) out.push_back(0x00);
      out.push_back(static_cast<std::uint8_t>((*le >> 8) & 0xFF));
      out.push_back(static_cast<std::uint8_t>(*le & 0xFF));
    } else {
      out.push_back(static_cast<std::uint8_t>(*le & 0xFF));
    }
  }
  return out;
}

Result<CommandApdu> CommandApdu::parse(ByteView b) {
  if (b.size() < 4) return malformed("command shorter than a header");
  CommandApdu c{b[0], b[1], b[2], b[3], {}, std::nullopt};
  const std::size_t body = b.size() - 4;
  if (body == 0) return c;  // case 1
  if (body == 1) {          // case 2S
    c.le = b[4] == 0 ? 256u : b[4];
    return c;
  }
  if (b[4] != 0) {  // short, with data
    const std::size_t lc = b[4];
    if (body == 1 + lc) {  // case 3S
      c.data.assign(b.begin() + 5, b.end());
      return c;
    }
    if (body == 2 + lc) {  // case 4S
      c.data.assign(b.begin() + 5, b.begin() + 5 + static_cast<std::ptrdiff_t>(lc));
      c.le = b.back() == 0 ? 256u : b.back();
      return c;
    }
    return malformed("short command length does not match Lc");
  }
  if (body == 3) {  // case 2E
    const std::uint32_t le = be16(b, 5);
    c.le = le == 0 ? 65536u : le;
    return c;
  }
  if (body < 3) return malformed("extended command cut short");
  const std::size_t lc = be16(b, 5);
  if (lc == 0) return malformed("extended Lc of zero");
  if (body == 3 + lc) {  // case 3E
    c.data.assign(b.begin() + 7, b.end());
    return c;
  }
  if (body == 5 + lc) {  // case 4E
    c.data.assign(b.begin() + 7, b.begin() + 7 + static_cast<std::ptrdiff_t>(lc));
    const std::uint32_t le = be16(b, b.size() - 2);
    c.le = le == 0 ? 65536u : le;
    return c;
  }
  return malformed("extended command length does not match Lc");
}

Result<ResponseApdu> ResponseApdu::parse(ByteView b) {
  if (b.size() < 2) return malformed("response shorter than a status word");
  ResponseApdu r;
  r.data.assign(b.begin(), b.end() - 2);
  r.sw = StatusWord(b[b.size() - 2], b[b.size() - 1]);
  return r;
}

Bytes ResponseApdu::encode() const {
  Bytes out = data;
  out.push_back(sw.sw1());
  out.push_back(sw.sw2());
  return out;
}

Status check(const ResponseApdu& response, std::string_view context,
             std::initializer_list<StatusWord> allowed) {
  if (std::find(allowed.begin(), allowed.end(), response.sw) != allowed.end()) return {};
  return Error{std::error_code(response.sw.value(), status_word_category()),
               fmt::format("{}: {}", context, response.sw.to_string())};
}

std::optional<StatusWord> status_of(const Error& error) {
  if (error.code.category() != status_word_category()) return std::nullopt;
  return StatusWord(static_cast<std::uint16_t>(error.code.value()));
}

}  // namespace cardd::card
