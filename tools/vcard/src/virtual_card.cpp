#include "cardd/vcard/virtual_card.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <optional>

#include "card_crypto.h"
#include "card_scp02.h"
#include "card_scp03.h"

#include <openssl/rand.h>

namespace cardd::vcard {
namespace {

using personalization::CommandApdu;

// The GlobalPlatform issuer security domain (card manager).
const Bytes kIsdAid = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};
// The social security application (DDF name "sx1.sh.社会保障" in GBK).
const Bytes kSsseAid = {0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9,
                        0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF};
const Bytes kAtr = {0x3B, 0x8A, 0x80, 0x01, 'C', 'A', 'R', 'D', 'D', '-', 'S', 'S', 'C', '3', 0x3B};

constexpr std::uint8_t kInsSelect = 0xA4, kInsGetData = 0xCA, kInsInitializeUpdate = 0x50,
                       kInsExternalAuthenticate = 0x82, kInsStoreData = 0xE2, kInsSetStatus = 0xF0,
                       kInsReadRecord = 0xB2;

Bytes with_sw(Bytes data, std::uint16_t sw) {
  data.push_back(static_cast<std::uint8_t>(sw >> 8));
  data.push_back(static_cast<std::uint8_t>(sw));
  return data;
}

}  // namespace

struct VirtualCard::Impl {
  CardState state;
  CardScp03 scp;
  CardScp02 scp02;
  bool isd_selected = false;
  bool ssse_selected = false;
  std::optional<std::uint16_t> last_written;

  Bytes cplc() const {
    Bytes c(42, 0);
    c[0] = 0x47;  // IC fabricator: an arbitrary vendor code
    c[1] = 0x90;
    std::copy(state.serial.begin(), state.serial.end(), c.begin() + 12);
    Bytes out = {0x9F, 0x7F, 0x2A};
    out.insert(out.end(), c.begin(), c.end());
    return out;
  }

  Bytes handle(const CommandApdu& c) {
    if (c.ins == kInsSelect && c.p1 == 0x04) {
      const bool isd = c.data == kIsdAid || c.data.empty();
      const bool ssse = c.data == kSsseAid;
      if (!isd && !ssse) return with_sw({}, 0x6A82);
      // The application exists once the card is personalized.
      if (ssse && state.life_cycle == LifeCycle::initialized) return with_sw({}, 0x6A82);
      isd_selected = isd;
      ssse_selected = ssse;
      scp.reset();
      scp02.reset();
      const Bytes& aid = isd ? kIsdAid : kSsseAid;
      Bytes fci = {0x6F, static_cast<std::uint8_t>(2 + aid.size()), 0x84,
                   static_cast<std::uint8_t>(aid.size())};
      fci.insert(fci.end(), aid.begin(), aid.end());
      return with_sw(fci, 0x9000);
    }
    if (c.ins == kInsReadRecord && ssse_selected) return read_record(c);
    if (c.ins == kInsGetData && c.p1 == 0x9F && c.p2 == 0x7F) return with_sw(cplc(), 0x9000);
    if (!isd_selected) return with_sw({}, 0x6985);
    if (c.ins == kInsInitializeUpdate) return initialize_update(c);
    if (c.ins == kInsExternalAuthenticate)
      return with_sw({},
                     scp02_card() ? scp02.external_authenticate(c) : scp.external_authenticate(c));
    if (c.ins == kInsStoreData || c.ins == kInsSetStatus) {
      auto unwrapped = scp02_card() ? scp02.unwrap(c) : scp.unwrap(c);
      if (const auto* sw = std::get_if<std::uint16_t>(&unwrapped)) return with_sw({}, *sw);
      const CommandApdu& plain = std::get<CommandApdu>(unwrapped);
      const auto [data, sw] = plain.ins == kInsStoreData ? store_data(plain) : set_status(plain);
      return with_sw(scp02_card() ? data : scp.protect_response(data, sw), sw);
    }
    return with_sw({}, 0x6D00);
  }

  // READ RECORD P1 = record, P2 = SFI << 3 | 4. Records are the DGIs the
  // personalization stored, by the EMV CPS convention DGI = SFI | record.
  Bytes read_record(const CommandApdu& c) const {
    if ((c.p2 & 0x07) != 0x04) return with_sw({}, 0x6A86);
    const auto dgi = static_cast<std::uint16_t>((c.p2 >> 3) << 8 | c.p1);
    const auto it = state.dgis.find(dgi);
    if (it == state.dgis.end()) return with_sw({}, 0x6A83);
    return with_sw(it->second, 0x9000);
  }

  bool scp02_card() const { return state.keys.cipher == Cipher::des3; }

  Bytes initialize_update(const CommandApdu& c) {
    if (state.life_cycle != LifeCycle::initialized) return with_sw({}, 0x6985);
    if (c.data.size() != 8) return with_sw({}, 0x6700);
    if (c.p1 != 0 && c.p1 != state.keys.version) return with_sw({}, 0x6A88);
    ++state.sequence;
    if (scp02_card()) {
      Bytes challenge(6);
      RAND_bytes(challenge.data(), static_cast<int>(challenge.size()));
      Bytes kdd(10, 0);
      std::copy(state.serial.begin(), state.serial.end(), kdd.begin() + 6);
      return with_sw(scp02.initialize_update(state.keys, kdd, c.data, challenge,
                                             static_cast<std::uint16_t>(state.sequence)),
                     0x9000);
    }
    // i = 70: pseudo-random card challenge from the sequence counter and AID.
    Bytes context = {static_cast<std::uint8_t>(state.sequence >> 16),
                     static_cast<std::uint8_t>(state.sequence >> 8),
                     static_cast<std::uint8_t>(state.sequence)};
    context.insert(context.end(), kIsdAid.begin(), kIsdAid.end());
    const Bytes challenge = scp03_kdf(state.keys.cipher, state.keys.enc, 0x02, 8, context);
    Bytes kdd(10, 0);
    std::copy(state.serial.begin(), state.serial.end(), kdd.begin() + 6);
    return with_sw(scp.initialize_update(state.keys, kdd, c.data, challenge, state.sequence),
                   0x9000);
  }

  std::pair<Bytes, std::uint16_t> store_data(const CommandApdu& c) {
    if (state.life_cycle != LifeCycle::initialized) return {{}, 0x6985};
    // DGI (2 bytes) | length (1 byte, or FF + 2 bytes) | data, repeated.
    std::size_t pos = 0;
    while (pos < c.data.size()) {
      if (pos + 3 > c.data.size()) return {{}, 0x6A80};
      const auto dgi = static_cast<std::uint16_t>(c.data[pos] << 8 | c.data[pos + 1]);
      std::size_t length = c.data[pos + 2];
      pos += 3;
      if (length == 0xFF) {
        if (pos + 2 > c.data.size()) return {{}, 0x6A80};
        length = static_cast<std::size_t>(c.data[pos] << 8 | c.data[pos + 1]);
        pos += 2;
      }
      if (pos + length > c.data.size()) return {{}, 0x6A80};
      Bytes& target = state.dgis[dgi];
      target.assign(c.data.begin() + static_cast<std::ptrdiff_t>(pos),
                    c.data.begin() + static_cast<std::ptrdiff_t>(pos + length));
      pos += length;
      last_written = dgi;
    }
    return {{}, 0x9000};
  }

  std::pair<Bytes, std::uint16_t> set_status(const CommandApdu& c) {
    if (c.p1 != 0x80) return {{}, 0x6A86};
    if (c.p2 != static_cast<std::uint8_t>(LifeCycle::secured) &&
        c.p2 != static_cast<std::uint8_t>(LifeCycle::locked))
      return {{}, 0x6A80};
    if (state.life_cycle == LifeCycle::locked) return {{}, 0x6985};
    state.life_cycle = static_cast<LifeCycle>(c.p2);
    return {{}, 0x9000};
  }
};

const Bytes& social_security_aid() { return kSsseAid; }

VirtualCard::VirtualCard(CardState state) : impl_(std::make_unique<Impl>()) {
  impl_->state = std::move(state);
}
VirtualCard::~VirtualCard() = default;

Bytes VirtualCard::atr() const { return kAtr; }

void VirtualCard::reset() {
  impl_->scp.reset();
  impl_->scp02.reset();
  impl_->isd_selected = false;
  impl_->ssse_selected = false;
}

const CardState& VirtualCard::state() const { return impl_->state; }

void VirtualCard::tear_last_store() {
  if (!impl_->last_written) return;
  Bytes& value = impl_->state.dgis[*impl_->last_written];
  value.resize(value.size() / 2);
}

Bytes VirtualCard::process(ByteView command) {
  auto parsed = CommandApdu::parse(command);
  if (!parsed) return with_sw({}, 0x6700);
  // Interindustry (00) and GlobalPlatform (80, 84) classes, channel 0 only.
  const std::uint8_t cla = parsed->cla & 0xFC;
  if (cla != 0x00 && cla != 0x80 && cla != 0x84) return with_sw({}, 0x6E00);
  try {
    return impl_->handle(*parsed);
  } catch (const std::exception& e) {
    // A broken card answers 6F00; the simulator says why on its log.
    spdlog::error("vcard: {}", e.what());
    return with_sw({}, 0x6F00);
  }
}

Result<personalization::Bytes> InProcessReader::connect() {
  card_.reset();
  return card_.atr();
}

Result<personalization::ResponseApdu> InProcessReader::transmit(
    const personalization::CommandApdu& command) {
  auto encoded = command.encode();
  if (!encoded) return encoded.error();
  return personalization::ResponseApdu::parse(card_.process(*encoded));
}

}  // namespace cardd::vcard
