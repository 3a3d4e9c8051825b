// The keys of one card, diversified in the HSM for the session and destroyed
// with it: the card manager's ENC/MAC/DEK from the KMC by the CHIP ID, and
// every application key from its issuer master key by the card number.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/personalization/secure_channel.h"

namespace cardd::personalization {

class CardKeys {
 public:
  // `kdd`: the card's 10-byte key diversification data (INITIALIZE UPDATE),
  // needed by the kdf3 diversification only. An empty `card_number`: the
  // card manager's keys only.
  static Result<CardKeys> derive(hsm::Hsm& hsm, const CardProfile& profile, card::ByteView chip_id,
                                 std::string_view card_number, card::ByteView kdd = {});
  // No keys yet: a reading terminal adds the ones its PSAM would hold.
  static CardKeys none(hsm::Hsm& hsm);
  Status add_application_key(hsm::Hsm& hsm, const CardProfile& profile, const ApplicationSpec& app,
                             const AppKeySpec& key, std::string_view card_number);
  bool has_app_key(const std::string& application, std::uint8_t reference) const {
    return app_keys_.contains({application, reference});
  }

  // HSM key names.
  std::string enc, mac, dek;
  const std::string& app_key(const std::string& application, std::uint8_t reference) const {
    return app_keys_.at({application, reference});
  }

 private:
  SessionKeys owner_;
  std::map<std::pair<std::string, std::uint8_t>, std::string> app_keys_;
};

}  // namespace cardd::personalization
