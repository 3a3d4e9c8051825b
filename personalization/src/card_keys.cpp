#include "card_keys.h"

#include <algorithm>
#include <tuple>

namespace cardd::personalization {
namespace {

using hsm::Usage;

// GP CPG 2.x / EMV CPS: the six least significant bytes of the KDD
// (00 00 || CHIP ID) with F0/0F and the key's index.
hsm::Derivation emv_cpg(card::ByteView chip_id, std::uint8_t index) {
  card::Bytes data;
  const std::uint8_t markers[] = {0xF0, 0x0F};
  for (const std::uint8_t marker : markers) {
    data.insert(data.end(), chip_id.end() - 6, chip_id.end());
    data.push_back(marker);
    data.push_back(index);
  }
  return hsm::EncryptDataDerivation{hsm::CipherMode::ecb, {}, std::move(data)};
}

// PBOC: E(MK, D) || E(MK, ~D), D the last 8 characters of the card number.
hsm::Derivation pboc(std::string_view card_number) {
  card::Bytes d(card_number.end() - 8, card_number.end());
  card::Bytes data = d;
  for (const std::uint8_t b : d) data.push_back(static_cast<std::uint8_t>(~b));
  return hsm::EncryptDataDerivation{hsm::CipherMode::ecb, {}, std::move(data)};
}

}  // namespace

Result<CardKeys> CardKeys::derive(hsm::Hsm& hsm, const CardProfile& profile, card::ByteView chip_id,
                                  std::string_view card_number, card::ByteView kdd) {
  CardKeys keys;
  keys.owner_ = SessionKeys(hsm, "card");
  const auto& sc = profile.secure_channel;
  const auto one = [&](std::string_view role, const std::string& base, const hsm::Derivation& how,
                       hsm::KeySpec spec) -> Result<std::string> {
    spec.name = keys.owner_.add(role);
    spec.algorithm = sc.algorithm;
    auto info = hsm.derive(base, how, spec);
    if (!info) return info.error();
    return spec.name;
  };
  // SCP03 derives session keys from ENC/MAC and uses the static DEK itself;
  // SCP02 derives a session key from each of the three. Each static key may
  // only derive session keys of its own purpose.
  const bool scp03 = sc.protocol == ScpProtocol::scp03;
  const auto deriving = [](hsm::UsageSet children) {
    return hsm::KeySpec{{}, {}, {Usage::derive}, 1, false, {children, false}};
  };
  const hsm::KeySpec dek_spec =
      scp03 ? hsm::KeySpec{{}, {}, {Usage::wrap}, 1} : deriving({Usage::wrap});
  const std::tuple<std::string*, std::uint8_t, std::string_view, hsm::KeySpec> roles[] = {
      {&keys.enc, 1, "enc", deriving({Usage::encrypt, Usage::decrypt})},
      {&keys.mac, 2, "mac", deriving({Usage::mac})},
      {&keys.dek, 3, "dek", dek_spec}};
  const bool kdf3 = sc.diversification == Diversification::kdf3;
  if (kdf3 && kdd.size() != 10)
    return make_error(hsm::HsmError::invalid_argument,
                      "kdf3 diversification needs the card's 10-byte KDD");
  for (const auto& [target, index, role, spec] : roles) {
    const hsm::Derivation how =
        sc.diversification == Diversification::emv_cpg
            ? emv_cpg(chip_id, index)
            : hsm::Derivation{hsm::Sp800108CmacDerivation{
                  index,
                  kdf3 ? card::Bytes(kdd.begin(), kdd.end())
                       : card::Bytes(chip_id.begin(), chip_id.end()),
                  kdf3 ? hsm::Sp800108Layout::gp_kdf3 : hsm::Sp800108Layout::scp03}};
    auto name = one(role, sc.master_key, how, spec);
    if (!name) return name.error();
    *target = std::move(*name);
  }
  if (card_number.empty()) return keys;
  for (const auto& app : profile.applications)
    for (const auto& key : app.keys)
      if (auto s = keys.add_application_key(hsm, profile, app, key, card_number); !s)
        return s.error();
  return keys;
}

CardKeys CardKeys::none(hsm::Hsm& hsm) {
  CardKeys keys;
  keys.owner_ = SessionKeys(hsm, "card");
  return keys;
}

Status CardKeys::add_application_key(hsm::Hsm& hsm, const CardProfile& profile,
                                     const ApplicationSpec& app, const AppKeySpec& key,
                                     std::string_view card_number) {
  const hsm::Derivation how =
      key.diversification == Diversification::pboc
          ? pboc(card_number)
          : hsm::Derivation{hsm::Sp800108CmacDerivation{
                key.reference, card::Bytes(card_number.begin(), card_number.end())}};
  // Application keys are the only ones that leave: wrapped under the DEK.
  hsm::KeySpec spec{{}, {}, {Usage::encrypt}, 1, true};
  spec.name = owner_.add(app.name + "-" + std::to_string(key.reference));
  spec.algorithm = profile.secure_channel.algorithm;
  if (auto info = hsm.derive(key.master_key, how, spec); !info) return info.error();
  app_keys_.emplace(std::pair{app.name, key.reference}, spec.name);
  return {};
}

}  // namespace cardd::personalization
