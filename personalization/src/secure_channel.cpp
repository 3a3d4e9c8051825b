#include "cardd/personalization/secure_channel.h"
#include "cardd/common/error_category.h"

#include <fmt/format.h>

#include <atomic>
#include <string>
#include <utility>

namespace cardd::personalization {
namespace {

std::string_view to_string(SecureChannelError e) {
  switch (e) {
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
  return {};
}

}  // namespace

const std::error_category& secure_channel_category() {
  static const ErrorCategory<SecureChannelError> category("secure_channel", to_string);
  return category;
}

card::Bytes pad80(card::ByteView data, std::size_t block) {
  card::Bytes out(data.begin(), data.end());
  out.push_back(0x80);
  while (out.size() % block != 0) out.push_back(0x00);
  return out;
}

card::CommandApdu initialize_update_command(std::uint8_t key_version,
                                            card::ByteView host_challenge) {
  return card::CommandApdu{
      0x80, 0x50, key_version, 0x00, card::Bytes(host_challenge.begin(), host_challenge.end()),
      256u};
}

SessionKeys::SessionKeys(hsm::Hsm& hsm, std::string_view protocol) : hsm_(&hsm) {
  static std::atomic<std::uint64_t> next{0};
  prefix_ = fmt::format("{}/{}/", protocol, ++next);
}

SessionKeys::SessionKeys(SessionKeys&& other) noexcept
    : hsm_(std::exchange(other.hsm_, nullptr)),
      prefix_(std::move(other.prefix_)),
      names_(std::move(other.names_)) {}

SessionKeys& SessionKeys::operator=(SessionKeys&& other) noexcept {
  if (this != &other) {
    destroy_all();
    hsm_ = std::exchange(other.hsm_, nullptr);
    prefix_ = std::move(other.prefix_);
    names_ = std::move(other.names_);
  }
  return *this;
}

SessionKeys::~SessionKeys() { destroy_all(); }

void SessionKeys::destroy_all() {
  if (hsm_ == nullptr) return;
  for (const std::string& name : names_) (void)hsm_->destroy(name);
  names_.clear();
}

std::string SessionKeys::add(std::string_view role) {
  names_.push_back(prefix_ + std::string(role));
  return names_.back();
}

}  // namespace cardd::personalization
