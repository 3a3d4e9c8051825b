// A GlobalPlatform secure channel after INITIALIZE UPDATE: it produces the
// EXTERNAL AUTHENTICATE command, then wraps commands and unwraps responses at
// the security level chosen. SCP02 and SCP03 implement it; the encoding
// session does not care which one the card profile names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include <vector>

#include "cardd/card/apdu.h"
#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"

namespace cardd::personalization {

enum class SecureChannelError {
  bad_response = 1,   // INITIALIZE UPDATE response of the wrong shape
  card_cryptogram,    // the card did not prove it holds the keys
  response_mac,       // R-MAC missing or wrong
  not_authenticated,  // wrap() before EXTERNAL AUTHENTICATE
  too_long,           // wrapped command would not fit a short APDU
  unsupported_level,  // a security level this protocol does not offer
};
const std::error_category& secure_channel_category();
inline std::error_code make_error_code(SecureChannelError e) {
  return {static_cast<int>(e), secure_channel_category()};
}

class SecureChannel {
 public:
  virtual ~SecureChannel() = default;
  virtual Result<card::CommandApdu> external_authenticate() = 0;
  virtual Result<card::CommandApdu> wrap(const card::CommandApdu& command) = 0;
  virtual Result<card::ResponseApdu> unwrap(const card::ResponseApdu& response) = 0;
};

// ISO/IEC 9797-1 padding method 2 (80 00…) to a multiple of `block`.
card::Bytes pad80(card::ByteView data, std::size_t block);

// INITIALIZE UPDATE (80 50 KVN 00) with the host challenge, for SCP02 and SCP03.
card::CommandApdu initialize_update_command(std::uint8_t key_version,
                                            card::ByteView host_challenge);

// One session's ephemeral keys in the HSM, named "<protocol>/<n>/<role>",
// destroyed with the session. Move-only.
class SessionKeys {
 public:
  SessionKeys() = default;
  SessionKeys(hsm::Hsm& hsm, std::string_view protocol);
  SessionKeys(SessionKeys&& other) noexcept;
  SessionKeys& operator=(SessionKeys&& other) noexcept;
  SessionKeys(const SessionKeys&) = delete;
  SessionKeys& operator=(const SessionKeys&) = delete;
  ~SessionKeys();

  // The name for a key of this role; it is destroyed with the session.
  std::string add(std::string_view role);
  hsm::Hsm& hsm() const { return *hsm_; }

 private:
  void destroy_all();
  hsm::Hsm* hsm_ = nullptr;
  std::string prefix_;
  std::vector<std::string> names_;
};

}  // namespace cardd::personalization

template <>
struct std::is_error_code_enum<cardd::personalization::SecureChannelError> : std::true_type {};
