// GlobalPlatform SCP03 (Amendment D), host side: INITIALIZE UPDATE, card
// cryptogram check, EXTERNAL AUTHENTICATE, then wrap/unwrap of every APDU
// (C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION). The same construction with SM4
// keys gives the national-algorithm variant.
//
// Every cryptographic step runs in the HSM: session keys are derived there
// (SP 800-108 CMAC KDF) as ephemeral keys and destroyed with the session;
// this object only holds their names, the MAC chaining value and the counter.
#pragma once

#include <cstdint>
#include <string>

#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/apdu.h"

namespace cardd::personalization {

// Security level bits (P1 of EXTERNAL AUTHENTICATE).
namespace scp03_level {
inline constexpr std::uint8_t kCMac = 0x01;
inline constexpr std::uint8_t kCDecryption = 0x02;
inline constexpr std::uint8_t kRMac = 0x10;
inline constexpr std::uint8_t kREncryption = 0x20;
}  // namespace scp03_level

// Names of the card's static keys in the HSM (usage derive), e.g. the keys
// diversified for this card.
struct Scp03Keys {
  std::string enc;
  std::string mac;
};

enum class SecureChannelError {
  bad_response = 1,   // INITIALIZE UPDATE response of the wrong shape
  card_cryptogram,    // the card did not prove it holds the keys
  response_mac,       // R-MAC missing or wrong
  not_authenticated,  // wrap() before EXTERNAL AUTHENTICATE
  too_long,           // wrapped command would not fit a short APDU
};
const std::error_category& secure_channel_category();
inline std::error_code make_error_code(SecureChannelError e) {
  return {static_cast<int>(e), secure_channel_category()};
}

class Scp03Session {
 public:
  static CommandApdu initialize_update(std::uint8_t key_version, ByteView host_challenge);

  // Derives the session keys and checks the card cryptogram.
  static Result<Scp03Session> open(hsm::Hsm& hsm, const Scp03Keys& keys, ByteView host_challenge,
                                   ByteView initialize_update_response,
                                   std::uint8_t security_level);

  Scp03Session(Scp03Session&& other) noexcept;
  Scp03Session& operator=(Scp03Session&&) = delete;
  Scp03Session(const Scp03Session&) = delete;
  Scp03Session& operator=(const Scp03Session&) = delete;
  ~Scp03Session();  // destroys the session keys in the HSM

  // The EXTERNAL AUTHENTICATE command (host cryptogram + C-MAC); after it the
  // session wraps at the chosen security level.
  Result<CommandApdu> external_authenticate();
  Result<CommandApdu> wrap(const CommandApdu& command);
  // Checks the R-MAC and decrypts as the level asks; error status words pass
  // through unprotected, as the specification says.
  Result<ResponseApdu> unwrap(const ResponseApdu& response);

  const Bytes& host_cryptogram() const { return host_cryptogram_; }
  std::uint8_t key_version() const { return key_version_; }

 private:
  Scp03Session() = default;
  Result<Bytes> mac(const std::string& key, ByteView data);
  Result<Bytes> icv(bool for_response);
  Result<CommandApdu> protect(const CommandApdu& command, bool encrypt_data);

  hsm::Hsm* hsm_ = nullptr;
  std::string s_enc_, s_mac_, s_rmac_;
  hsm::Algorithm algorithm_ = hsm::Algorithm::aes128;
  std::uint8_t level_ = 0;
  std::uint8_t key_version_ = 0;
  bool authenticated_ = false;
  Bytes chaining_ = Bytes(16, 0);
  std::uint64_t counter_ = 0;
  Bytes host_cryptogram_;
};

}  // namespace cardd::personalization

template <>
struct std::is_error_code_enum<cardd::personalization::SecureChannelError> : std::true_type {};
