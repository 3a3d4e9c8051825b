#include "cardd/personalization/secure_channel.h"

#include <fmt/format.h>

#include <atomic>
#include <string>

namespace cardd::personalization {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "secure_channel"; }
  std::string message(int code) const override {
    switch (static_cast<SecureChannelError>(code)) {
      case SecureChannelError::bad_response:
        return "bad_response";
      case SecureChannelError::card_cryptogram:
        return "card_cryptogram";
      case SecureChannelError::response_mac:
        return "response_mac";
      case SecureChannelError::not_authenticated:
        return "not_authenticated";
      case SecureChannelError::too_long:
        return "too_long";
      case SecureChannelError::unsupported_level:
        return "unsupported_level";
    }
    return "unknown";
  }
};

}  // namespace

const std::error_category& secure_channel_category() {
  static const Category category;
  return category;
}

Bytes pad80(ByteView data, std::size_t block) {
  Bytes out(data.begin(), data.end());
  out.push_back(0x80);
  while (out.size() % block != 0) out.push_back(0x00);
  return out;
}

CommandApdu initialize_update_command(std::uint8_t key_version, ByteView host_challenge) {
  return CommandApdu{
      0x80, 0x50, key_version, 0x00, Bytes(host_challenge.begin(), host_challenge.end()), 256u};
}

std::string session_key_prefix(std::string_view protocol) {
  static std::atomic<std::uint64_t> next{0};
  return fmt::format("{}/{}/", protocol, ++next);
}

}  // namespace cardd::personalization
