#include "personalize.h"

#include <algorithm>

#include "card_crypto.h"
#include "file_system.h"

namespace cardd::vcard {
namespace {

constexpr std::uint16_t kDgiPin = 0x8010;
constexpr std::uint16_t kDgiPinTryLimit = 0x9010;
constexpr std::uint8_t kDgiKeyGroup = 0x81;
constexpr std::uint8_t kDgiAccessGroup = 0xA0;
constexpr std::uint8_t kFirstKey = 0x01, kLastKey = 0x0F;
constexpr std::size_t kKeySize = 16;
constexpr std::uint8_t kMaxTryLimit = 15;  // a try counter must fit the x of 63Cx

// ISO 9564 format 2: 2N, N PIN digits (4–12), F padding, in 8 bytes.
std::optional<Bytes> parse_pin_block(ByteView block, std::size_t cipher_block) {
  if (block.size() != cipher_block) return std::nullopt;
  if (!std::all_of(block.begin() + 8, block.end(), [](std::uint8_t b) { return b == 0xFF; }))
    return std::nullopt;
  if ((block[0] >> 4) != 0x2) return std::nullopt;
  const std::size_t n = block[0] & 0x0F;
  if (n < 4 || n > 12) return std::nullopt;
  Bytes digits;
  for (std::size_t i = 0; i < 14; ++i) {
    const std::uint8_t nibble = (block[1 + i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0F;
    if (i < n ? nibble > 9 : nibble != 0x0F) return std::nullopt;
    if (i < n) digits.push_back(nibble);
  }
  return digits;
}

class DgiWriter {
 public:
  DgiWriter(ApplicationData& data, Application app, Cipher cipher, const DgiDecryptor* decryptor)
      : data_(data), app_(app), cipher_(cipher), decryptor_(decryptor) {}

  StatusWord write(Dgi dgi, Written& w) {
    if (decryptor_) {
      if (dgi.value.empty() || dgi.value.size() % decryptor_->block() != 0) return sw::kWrongData;
      dgi.value = decryptor_->decrypt(dgi.value);
    }
    const auto group = static_cast<std::uint8_t>(dgi.tag >> 8);
    const auto index = static_cast<std::uint8_t>(dgi.tag);
    if (group == kDgiKeyGroup) return key(index, std::move(dgi.value), w);
    if (dgi.tag == kDgiPin) return pin(dgi.value, w);
    if (dgi.tag == kDgiPinTryLimit) return try_limit(dgi.value);
    if (group == kDgiAccessGroup) return access(index, dgi.value);
    if (group >= 1 && group <= 30) return file(group, index, std::move(dgi.value), w);
    return sw::kWrongData;
  }

 private:
  // Keys and the PIN must never travel in clear.
  StatusWord key(std::uint8_t reference, Bytes value, Written& w) {
    if (!decryptor_ || reference < kFirstKey || reference > kLastKey || value.size() != kKeySize)
      return sw::kWrongData;
    data_.keys[reference] = std::move(value);
    w = {Written::Kind::key, app_, reference, 0};
    return sw::kSuccess;
  }

  StatusWord pin(ByteView value, Written& w) {
    if (!decryptor_) return sw::kWrongData;
    auto digits = parse_pin_block(value, block_size(cipher_));
    if (!digits) return sw::kWrongData;
    Pin& p = data_.pin ? *data_.pin : data_.pin.emplace();
    p.digits = std::move(*digits);
    p.tries = p.limit;
    w = {Written::Kind::pin, app_, 0, 0};
    return sw::kSuccess;
  }

  StatusWord try_limit(ByteView value) {
    if (decryptor_ || value.size() != 2 || value[0] != value[1] || value[0] == 0 ||
        value[0] > kMaxTryLimit)
      return sw::kWrongData;
    Pin& p = data_.pin ? *data_.pin : data_.pin.emplace();
    p.limit = p.tries = value[0];
    return sw::kSuccess;
  }

  StatusWord access(std::uint8_t sfi, ByteView value) {
    if (decryptor_ || value.size() != 4 || !file_by_sfi(app_, sfi)) return sw::kWrongData;
    const auto condition = [](std::uint8_t kind,
                              std::uint8_t key) -> std::optional<AccessCondition> {
      using Kind = AccessCondition::Kind;
      for (const Kind k : {Kind::free, Kind::pin, Kind::never})
        if (kind == static_cast<std::uint8_t>(k) && key == 0) return AccessCondition{k, 0};
      if (kind == static_cast<std::uint8_t>(Kind::key) && key >= kFirstKey && key <= kLastKey)
        return AccessCondition{Kind::key, key};
      return std::nullopt;
    };
    const auto read = condition(value[0], value[1]);
    const auto update = condition(value[2], value[3]);
    if (!read || !update) return sw::kWrongData;
    data_.access[sfi] = {*read, *update};
    return sw::kSuccess;
  }

  StatusWord file(std::uint8_t sfi, std::uint8_t record, Bytes value, Written& w) {
    const FileInfo* f = file_by_sfi(app_, sfi);
    if (!f) return sw::kWrongData;
    if (record == 0) {
      if (f->kind != FileKind::transparent) return sw::kWrongData;
      if (value.size() > f->capacity) return sw::kNotEnoughMemory;
      data_.binaries[sfi] = std::move(value);
      w = {Written::Kind::binary, app_, sfi, 0};
      return sw::kSuccess;
    }
    if (f->kind != FileKind::record || record == 0xFF || value.empty()) return sw::kWrongData;
    if (value.size() > f->capacity) return sw::kNotEnoughMemory;
    data_.records[sfi][record] = std::move(value);
    w = {Written::Kind::record, app_, sfi, record};
    return sw::kSuccess;
  }

  ApplicationData& data_;
  Application app_;
  Cipher cipher_;
  const DgiDecryptor* decryptor_;
};

}  // namespace

Bytes DgiDecryptor::decrypt(ByteView value) const {
  if (cipher_ == Cipher::des3) return tdes(dek_, {}, value, false);
  return block_encrypt(cipher_, dek_, {}, value, false);
}

StatusWord apply_dgis(CardState& state, Application target, std::span<const Dgi> dgis,
                      const DgiDecryptor* decryptor, std::optional<Written>& last) {
  // All or nothing: write into a copy, keep it only when every DGI was good.
  ApplicationData copy = state.data(target);
  DgiWriter writer(copy, target, state.keys.cipher, decryptor);
  Written w;
  bool wrote = false;
  for (const Dgi& dgi : dgis) {
    const StatusWord status = writer.write(dgi, w);
    if (!status.ok()) return status;
    wrote = true;
  }
  state.data(target) = std::move(copy);
  if (wrote) last = w;
  return sw::kSuccess;
}

void tear(CardState& state, const Written& w) {
  ApplicationData& data = state.data(w.app);
  const auto halve = [](Bytes& b) { b.resize(b.size() / 2); };
  switch (w.kind) {
    case Written::Kind::record:
      halve(data.records[w.id][w.record]);
      break;
    case Written::Kind::binary:
      halve(data.binaries[w.id]);
      break;
    case Written::Kind::key: {
      Bytes& key = data.keys[w.id];
      std::fill(key.begin() + static_cast<std::ptrdiff_t>(key.size() / 2), key.end(), 0x00);
      break;
    }
    case Written::Kind::pin:
      if (data.pin) halve(data.pin->digits);
      break;
  }
}

}  // namespace cardd::vcard
