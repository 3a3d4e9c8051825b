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

#include "cardd/card/apdu.h"
#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/secure_channel.h"

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

class Scp03Session final : public SecureChannel {
 public:
  static card::CommandApdu initialize_update(std::uint8_t key_version,
                                             card::ByteView host_challenge) {
    return initialize_update_command(key_version, host_challenge);
  }

  // Derives the session keys and checks the card cryptogram.
  static Result<Scp03Session> open(hsm::Hsm& hsm, const Scp03Keys& keys,
                                   card::ByteView host_challenge,
                                   card::ByteView initialize_update_response,
                                   std::uint8_t security_level);

  Scp03Session(Scp03Session&& other) noexcept = default;
  Scp03Session& operator=(Scp03Session&&) = delete;
  Scp03Session(const Scp03Session&) = delete;
  Scp03Session& operator=(const Scp03Session&) = delete;

  // The EXTERNAL AUTHENTICATE command (host cryptogram + C-MAC); after it the
  // session wraps at the chosen security level.
  Result<card::CommandApdu> external_authenticate() override;
  Result<card::CommandApdu> wrap(const card::CommandApdu& command) override;
  // Checks the R-MAC and decrypts as the level asks; error status words pass
  // through unprotected, as the specification says.
  Result<card::ResponseApdu> unwrap(const card::ResponseApdu& response) override;

  const card::Bytes& host_cryptogram() const { return host_cryptogram_; }
  std::uint8_t key_version() const { return key_version_; }

 private:
  Scp03Session() = default;
  Result<card::Bytes> mac(const std::string& key, card::ByteView data);
  Result<card::Bytes> icv(bool for_response);
  Result<card::CommandApdu> protect(const card::CommandApdu& command, bool encrypt_data);

  SessionKeys keys_;  // destroys the session keys in the HSM with the session
  std::string s_enc_, s_mac_, s_rmac_;
  hsm::Algorithm algorithm_ = hsm::Algorithm::aes128;
  std::uint8_t level_ = 0;
  std::uint8_t key_version_ = 0;
  bool authenticated_ = false;
  card::Bytes chaining_ = card::Bytes(16, 0);
  std::uint64_t counter_ = 0;
  card::Bytes host_cryptogram_;
};

}  // namespace cardd::personalization
