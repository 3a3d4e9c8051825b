#include "card_manager.h"

#include <openssl/rand.h>

#include <algorithm>

#include "cardd/vcard/chip.h"
#include "file_system.h"

namespace cardd::vcard {
namespace {

constexpr std::uint8_t kInsInitializeUpdate = 0x50, kInsExternalAuthenticate = 0x82,
                       kInsStoreData = 0xE2, kInsInstall = 0xE6, kInsSetStatus = 0xF0,
                       kInsGetStatus = 0xF2;
constexpr std::uint8_t kCard = 0x80, kApplications = 0x40;
constexpr std::uint8_t kInstallForPersonalization = 0x20;
constexpr std::uint8_t kLastBlock = 0x80, kEncryptedDgis = 0x60;

}  // namespace

bool CardManager::handles(std::uint8_t ins) {
  return ins == kInsInitializeUpdate || ins == kInsExternalAuthenticate || ins == kInsStoreData ||
         ins == kInsInstall || ins == kInsSetStatus || ins == kInsGetStatus;
}

void CardManager::reset() {
  scp03_.reset();
  scp02_.reset();
  target_ = Application::ssse;
  stream_.reset();
}

Reply CardManager::handle(const CommandApdu& c) {
  if (c.ins == kInsInitializeUpdate) return initialize_update(c);
  if (c.ins == kInsExternalAuthenticate) return external_authenticate(c);
  return secured(c);
}

// Card management goes on after SECURED; a personalized application, or a
// locked card, takes no more personalization.
Reply CardManager::execute(const CommandApdu& c) {
  const bool personalizes = c.ins == kInsStoreData || c.ins == kInsInstall;
  if (personalizes && state_.life_cycle == LifeCycle::locked)
    return no_data(sw::kConditionsNotSatisfied);
  if (c.ins == kInsStoreData && state_.data(target_).life_cycle != kApplicationSelectable)
    return no_data(sw::kConditionsNotSatisfied);
  return c.ins == kInsStoreData   ? store_data(c)
         : c.ins == kInsInstall   ? install(c)
         : c.ins == kInsGetStatus ? get_status(c)
                                  : set_status(c);
}

Reply CardManager::initialize_update(const CommandApdu& c) {
  if (state_.auth_failures >= state_.auth_limit) return no_data(sw::kAuthenticationBlocked);
  if (c.data.size() != 8) return no_data(sw::kWrongLength);
  if (c.p1 != 0 && c.p1 != state_.keys.version) return no_data(sw::kReferencedDataNotFound);
  reset();
  ++state_.sequence;
  const Bytes kdd = key_diversification_data(state_.serial);
  if (scp02()) {
    Bytes challenge(6);
    RAND_bytes(challenge.data(), static_cast<int>(challenge.size()));
    return Reply{scp02_.initialize_update(state_.keys, kdd, c.data, challenge,
                                          static_cast<std::uint16_t>(state_.sequence)),
                 sw::kSuccess};
  }
  // i = 70: pseudo-random card challenge from the sequence counter and AID.
  Bytes context = {static_cast<std::uint8_t>(state_.sequence >> 16),
                   static_cast<std::uint8_t>(state_.sequence >> 8),
                   static_cast<std::uint8_t>(state_.sequence)};
  context.insert(context.end(), isd_aid().begin(), isd_aid().end());
  const Bytes challenge = scp03_kdf(state_.keys.cipher, state_.keys.enc, 0x02, 8, context);
  return Reply{scp03_.initialize_update(state_.keys, kdd, c.data, challenge, state_.sequence),
               sw::kSuccess};
}

Reply CardManager::external_authenticate(const CommandApdu& c) {
  const StatusWord status(scp02() ? scp02_.external_authenticate(c)
                                  : scp03_.external_authenticate(c));
  if (status.ok()) {
    state_.auth_failures = 0;
  } else if (status == StatusWord(0x6300) || status == sw::kSecurityNotSatisfied) {
    // A wrong cryptogram or MAC: one try of the key set spent, and this
    // challenge is not offered for another guess.
    state_.auth_failures =
        static_cast<std::uint8_t>(std::min<int>(state_.auth_failures + 1, state_.auth_limit));
    reset();
  }
  return no_data(status);
}

Reply CardManager::secured(const CommandApdu& c) {
  auto unwrapped = scp02() ? scp02_.unwrap(c) : scp03_.unwrap(c);
  if (const auto* status = std::get_if<std::uint16_t>(&unwrapped))
    return no_data(StatusWord(*status));
  const CommandApdu& plain = std::get<CommandApdu>(unwrapped);
  Reply r = execute(plain);
  if (!scp02()) r.data = scp03_.protect_response(std::move(r.data), r.sw.value());
  return r;
}

Reply CardManager::store_data(const CommandApdu& c) {
  const bool encrypted = (c.p1 & kEncryptedDgis) == kEncryptedDgis;
  auto dgis = stream_.feed(c.data, encrypted, (c.p1 & kLastBlock) != 0);
  if (const auto* status = std::get_if<StatusWord>(&dgis)) return no_data(*status);
  std::optional<DgiDecryptor> decryptor;
  if (encrypted)
    decryptor.emplace(state_.keys.cipher, scp02() ? scp02_.session_dek() : state_.keys.dek);
  const StatusWord status = apply_dgis(state_, target_, std::get<std::vector<Dgi>>(dgis),
                                       decryptor ? &*decryptor : nullptr, last_written_);
  if (!status.ok()) stream_.reset();
  return no_data(status);
}

// Data: 00 (load file) 00 (module) Ln AID 00 (privileges) 00 (parameters) 00 (token).
Reply CardManager::install(const CommandApdu& c) {
  if (c.p1 != kInstallForPersonalization || c.p2 != 0x00) return no_data(sw::kIncorrectP1P2);
  const Bytes& d = c.data;
  if (d.size() < 6 || d[0] != 0 || d[1] != 0 || d.size() != 6u + d[2] ||
      !std::all_of(d.end() - 3, d.end(), [](std::uint8_t b) { return b == 0; }))
    return no_data(sw::kWrongData);
  const auto app = application_by_aid(ByteView(d).subspan(3, d[2]));
  if (!app) return no_data(sw::kReferencedDataNotFound);
  target_ = *app;
  stream_.reset();
  return Reply{{0x00}, sw::kSuccess};
}

Reply CardManager::set_status(const CommandApdu& c) {
  if (c.p1 == kApplications) {
    // Data: the application's AID; P2 an application-specific state
    // (b3-b1 = 111, b8 = 0) past SELECTABLE, e.g. 0F PERSONALIZED.
    const auto app = application_by_aid(c.data);
    if (!app) return no_data(sw::kReferencedDataNotFound);
    if ((c.p2 & 0x87) != kApplicationSelectable || c.p2 == kApplicationSelectable)
      return no_data(sw::kWrongData);
    state_.data(*app).life_cycle = c.p2;
    stream_.reset();
    return no_data(sw::kSuccess);
  }
  if (c.p1 != kCard) return no_data(sw::kIncorrectP1P2);
  if (c.p2 != static_cast<std::uint8_t>(LifeCycle::secured) &&
      c.p2 != static_cast<std::uint8_t>(LifeCycle::locked) &&
      c.p2 != static_cast<std::uint8_t>(LifeCycle::terminated))
    return no_data(sw::kWrongData);
  if (state_.life_cycle == LifeCycle::locked) return no_data(sw::kConditionsNotSatisfied);
  state_.life_cycle = static_cast<LifeCycle>(c.p2);
  stream_.reset();
  return no_data(sw::kSuccess);
}

// P1 80 the card manager, 40 the applications; P2 02: one E3 template each
// (4F AID, 9F70 life cycle). Search criteria: 4F 00 (all).
Reply CardManager::get_status(const CommandApdu& c) {
  if ((c.p1 != kCard && c.p1 != kApplications) || c.p2 != 0x02) return no_data(sw::kIncorrectP1P2);
  if (c.data != Bytes{0x4F, 0x00}) return no_data(sw::kWrongData);
  Bytes out;
  const auto entry = [&](ByteView aid, std::uint8_t life_cycle) {
    out.insert(out.end(), {0xE3, static_cast<std::uint8_t>(aid.size() + 6), 0x4F,
                           static_cast<std::uint8_t>(aid.size())});
    out.insert(out.end(), aid.begin(), aid.end());
    out.insert(out.end(), {0x9F, 0x70, 0x01, life_cycle});
  };
  if (c.p1 == kCard) {
    entry(isd_aid(), static_cast<std::uint8_t>(state_.life_cycle));
  } else {
    for (const Application a : {Application::ssse, Application::fin})
      entry(aid_of(a), state_.data(a).life_cycle);
  }
  return Reply{std::move(out), sw::kSuccess};
}

}  // namespace cardd::vcard
