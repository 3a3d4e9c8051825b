// GlobalPlatform SCP02 (3DES), host side, i = 15 or 55: session keys derived
// in the HSM from the sequence counter, full 3DES CBC-MAC cryptograms, C-MAC
// by ISO 9797-1 MAC algorithm 3 on the modified APDU with the previous C-MAC
// as ICV (encrypted with the first DES key when i = 55), and C-DECRYPTION.
// R-MAC is not offered (security levels 01 and 03).
#pragma once

#include <cstdint>
#include <string>

#include "cardd/hsm/hsm.h"
#include "cardd/personalization/secure_channel.h"

namespace cardd::personalization {

struct Scp02Keys {
  std::string enc;  // names of the card's static 3DES keys (usage derive)
  std::string mac;
  std::string dek;
};

class Scp02Session final : public SecureChannel {
 public:
  static card::CommandApdu initialize_update(std::uint8_t key_version,
                                             card::ByteView host_challenge) {
    return initialize_update_command(key_version, host_challenge);
  }
  // `i` is the SCP02 option byte the card profile names: 0x15 or 0x55.
  static Result<Scp02Session> open(hsm::Hsm& hsm, const Scp02Keys& keys,
                                   card::ByteView host_challenge,
                                   card::ByteView initialize_update_response,
                                   std::uint8_t security_level, std::uint8_t i = 0x55);

  Scp02Session(Scp02Session&& other) noexcept = default;
  Scp02Session& operator=(Scp02Session&&) = delete;
  Scp02Session(const Scp02Session&) = delete;
  Scp02Session& operator=(const Scp02Session&) = delete;

  Result<card::CommandApdu> external_authenticate() override;
  Result<card::CommandApdu> wrap(const card::CommandApdu& command) override;
  Result<card::ResponseApdu> unwrap(const card::ResponseApdu& response) override {
    return response;
  }

  const card::Bytes& host_cryptogram() const { return host_cryptogram_; }
  // The session DEK, for keys and sensitive DGIs sent to the card.
  const std::string& session_dek() const { return s_dek_; }

 private:
  Scp02Session() = default;
  Result<card::CommandApdu> protect(const card::CommandApdu& command, bool encrypt_data);

  SessionKeys keys_;  // destroys the session keys in the HSM with the session
  std::string s_enc_, s_mac_, s_dek_;
  std::uint8_t level_ = 0;
  std::uint8_t i_ = 0x55;
  bool authenticated_ = false;
  card::Bytes last_mac_;  // empty before the first C-MAC
  card::Bytes host_cryptogram_;
};

}  // namespace cardd::personalization
