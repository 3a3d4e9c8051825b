#include "application_commands.h"

#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "card_crypto.h"

namespace cardd::vcard {
namespace {

constexpr std::size_t kShortLe = 256;

// No EF selected, or one of another structure.
const FileInfo* file_for(const ApplicationSession& s, std::uint8_t sfi, StatusWord& error) {
  const FileInfo* f = sfi == 0 ? s.current : file_by_sfi(s.app, sfi);
  if (!f) error = sfi == 0 ? sw::kCommandNotAllowed : sw::kFileNotFound;
  return f;
}

bool satisfied(const AccessCondition& c, const ApplicationSession& s) {
  switch (c.kind) {
    case AccessCondition::Kind::free:
      return true;
    case AccessCondition::Kind::pin:
      return s.pin_verified;
    case AccessCondition::Kind::key:
      return s.authenticated.contains(c.key);
    case AccessCondition::Kind::never:
      return false;
  }
  return false;
}

AccessRule rule_of(const ApplicationData& data, std::uint8_t sfi) {
  const auto it = data.access.find(sfi);
  return it == data.access.end() ? AccessRule{} : it->second;
}

// P2 b3-b1 = 100: record number P1; 000: the first record whose tag is P1.
template <typename Records>
auto find_record(Records& file, std::uint8_t mode, std::uint8_t p1) {
  if (mode == 0x04) return file.find(p1);
  return std::ranges::find_if(
      file, [&](const auto& r) { return !r.second.empty() && r.second[0] == p1; });
}

// The record file READ/UPDATE RECORD address (SFI in P2, or the current EF).
const FileInfo* record_file(const ApplicationSession& s, const CommandApdu& c, StatusWord& error) {
  const std::uint8_t mode = c.p2 & 0x07;
  if (mode != 0x04 && mode != 0x00) {
    error = sw::kIncorrectP1P2;
    return nullptr;
  }
  const FileInfo* f = file_for(s, static_cast<std::uint8_t>(c.p2 >> 3), error);
  if (f && f->kind != FileKind::record) {
    error = sw::kCommandIncompatible;
    return nullptr;
  }
  return f;
}

StatusWord tries_left(std::uint8_t tries) {
  return StatusWord(static_cast<std::uint16_t>(0x63C0 | tries));
}

// BCD, two digits a byte, an odd count padded with F.
std::optional<Bytes> parse_bcd_pin(ByteView data) {
  Bytes digits;
  for (std::size_t i = 0; i < data.size() * 2; ++i) {
    const std::uint8_t nibble = (data[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0F;
    if (nibble == 0x0F && i == data.size() * 2 - 1 && i > 0) break;
    if (nibble > 9) return std::nullopt;
    digits.push_back(nibble);
  }
  return digits;
}

}  // namespace

Reply read_record(const ApplicationData& data, ApplicationSession& s, const CommandApdu& c) {
  StatusWord error;
  const FileInfo* f = record_file(s, c, error);
  if (!f) return no_data(error);
  s.current = f;
  if (!satisfied(rule_of(data, f->sfi).read, s)) return no_data(sw::kSecurityNotSatisfied);
  const auto file = data.records.find(f->sfi);
  if (file == data.records.end()) return no_data(sw::kRecordNotFound);
  const auto it = find_record(file->second, c.p2 & 0x07, c.p1);
  if (it == file->second.end()) return no_data(sw::kRecordNotFound);
  const Bytes& record = it->second;
  if (c.le && *c.le < record.size())
    return no_data(StatusWord(0x6C, static_cast<std::uint8_t>(record.size())));
  return Reply{record, sw::kSuccess};
}

Reply update_record(ApplicationData& data, ApplicationSession& s, const CommandApdu& c) {
  StatusWord error;
  const FileInfo* f = record_file(s, c, error);
  if (!f) return no_data(error);
  s.current = f;
  if (!satisfied(rule_of(data, f->sfi).update, s)) return no_data(sw::kSecurityNotSatisfied);
  auto& file = data.records[f->sfi];
  const auto it = find_record(file, c.p2 & 0x07, c.p1);
  if (it == file.end()) return no_data(sw::kRecordNotFound);
  if (c.data.empty() || c.data[0] != it->second[0]) return no_data(sw::kWrongData);
  if (c.data.size() > f->capacity) return no_data(sw::kNotEnoughMemory);
  it->second = c.data;
  return no_data(sw::kSuccess);
}

Reply read_binary(const ApplicationData& data, ApplicationSession& s, const CommandApdu& c) {
  StatusWord error;
  const FileInfo* f = nullptr;
  std::size_t offset = 0;
  if ((c.p1 & 0x80) != 0) {
    // SFI 0 is no file: an offset of 32768 or more cannot be expressed.
    if ((c.p1 & 0x60) != 0 || (c.p1 & 0x1F) == 0) return no_data(sw::kIncorrectP1P2);
    f = file_for(s, c.p1 & 0x1F, error);
    offset = c.p2;
  } else {
    f = file_for(s, 0, error);
    offset = static_cast<std::size_t>(c.p1 << 8 | c.p2);
  }
  if (!f) return no_data(error);
  if (f->kind != FileKind::transparent) return no_data(sw::kCommandIncompatible);
  s.current = f;
  if (!satisfied(rule_of(data, f->sfi).read, s)) return no_data(sw::kSecurityNotSatisfied);
  // A transparent file is as long as its content (never written: empty).
  const auto it = data.binaries.find(f->sfi);
  const std::size_t size = it == data.binaries.end() ? 0 : it->second.size();
  if (offset > size) return no_data(sw::kWrongP1P2);
  if (offset == size) return no_data(StatusWord(0x6282));  // end of file reached
  const std::size_t n = std::min<std::size_t>(c.le.value_or(kShortLe), size - offset);
  const auto from = it->second.begin() + static_cast<std::ptrdiff_t>(offset);
  return Reply{Bytes(from, from + static_cast<std::ptrdiff_t>(n)), sw::kSuccess};
}

Reply verify(ApplicationData& data, ApplicationSession& s, const CommandApdu& c) {
  if (c.p1 != 0x00) return no_data(sw::kIncorrectP1P2);
  if (c.p2 != 0x00) return no_data(sw::kReferencedDataNotFound);
  if (!data.pin || data.pin->digits.empty()) return no_data(sw::kReferenceDataNotUsable);
  Pin& pin = *data.pin;
  if (pin.tries == 0) return no_data(sw::kAuthenticationBlocked);
  if (c.data.empty()) return no_data(s.pin_verified ? sw::kSuccess : tries_left(pin.tries));
  const auto digits = parse_bcd_pin(c.data);
  if (!digits || digits->size() > 12) return no_data(sw::kWrongData);
  if (*digits == pin.digits) {
    pin.tries = pin.limit;
    s.pin_verified = true;
    return no_data(sw::kSuccess);
  }
  --pin.tries;
  s.pin_verified = false;
  return no_data(tries_left(pin.tries));
}

Reply get_challenge(ApplicationSession& s, const CommandApdu& c) {
  constexpr std::size_t kChallenge = 8;
  if (c.p1 != 0x00 || c.p2 != 0x00) return no_data(sw::kIncorrectP1P2);
  if (!c.le || *c.le != kChallenge) return no_data(sw::kWrongLength);
  s.challenge.assign(kChallenge, 0);
  RAND_bytes(s.challenge.data(), static_cast<int>(kChallenge));
  return Reply{s.challenge, sw::kSuccess};
}

Reply external_authenticate(const ApplicationData& data, ApplicationSession& s, Cipher cipher,
                            const CommandApdu& c) {
  if (c.p1 != 0x00) return no_data(sw::kIncorrectP1P2);
  const auto key = data.keys.find(c.p2);
  if (key == data.keys.end()) return no_data(sw::kReferencedDataNotFound);
  if (s.challenge.empty()) return no_data(sw::kConditionsNotSatisfied);
  Bytes block = std::exchange(s.challenge, {});
  block.resize(block_size(cipher), 0x00);
  const Bytes expected = cipher == Cipher::des3
                             ? tdes(key->second, {}, block, true)
                             : block_encrypt(cipher, key->second, {}, block, true);
  if (c.data != expected) return no_data(StatusWord(0x6300));
  s.authenticated.insert(c.p2);
  return no_data(sw::kSuccess);
}

Reply internal_authenticate(const ApplicationData& data, Cipher cipher, const CommandApdu& c) {
  if (c.p1 != 0x00) return no_data(sw::kIncorrectP1P2);
  const auto key = data.keys.find(c.p2);
  if (key == data.keys.end()) return no_data(sw::kReferencedDataNotFound);
  if (c.data.size() != block_size(cipher)) return no_data(sw::kWrongLength);
  if (cipher == Cipher::des3) return Reply{tdes(key->second, {}, c.data, true), sw::kSuccess};
  return Reply{block_encrypt(cipher, key->second, {}, c.data, true), sw::kSuccess};
}

}  // namespace cardd::vcard
