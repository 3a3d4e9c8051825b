#include "application_commands.h"

#include <algorithm>

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
  const std::uint8_t mode = c.p2 & 0x07;
  if (mode != 0x04 && mode != 0x00) return no_data(sw::kIncorrectP1P2);
  StatusWord error;
  const FileInfo* f = file_for(s, static_cast<std::uint8_t>(c.p2 >> 3), error);
  if (!f) return no_data(error);
  if (f->kind != FileKind::record) return no_data(sw::kCommandIncompatible);
  s.current = f;
  const auto file = data.records.find(f->sfi);
  if (file == data.records.end()) return no_data(sw::kRecordNotFound);
  const Bytes* record = nullptr;
  if (mode == 0x04) {
    const auto it = file->second.find(c.p1);
    if (it != file->second.end()) record = &it->second;
  } else {
    // Records are addressed by tag: the first record whose tag is P1.
    const auto it = std::ranges::find_if(
        file->second, [&](const auto& r) { return !r.second.empty() && r.second[0] == c.p1; });
    if (it != file->second.end()) record = &it->second;
  }
  if (!record) return no_data(sw::kRecordNotFound);
  if (c.le && *c.le < record->size())
    return no_data(StatusWord(0x6C, static_cast<std::uint8_t>(record->size())));
  return Reply{*record, sw::kSuccess};
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

Reply internal_authenticate(const ApplicationData& data, Cipher cipher, const CommandApdu& c) {
  if (c.p1 != 0x00) return no_data(sw::kIncorrectP1P2);
  const auto key = data.keys.find(c.p2);
  if (key == data.keys.end()) return no_data(sw::kReferencedDataNotFound);
  if (c.data.size() != block_size(cipher)) return no_data(sw::kWrongLength);
  if (cipher == Cipher::des3) return Reply{tdes(key->second, {}, c.data, true), sw::kSuccess};
  return Reply{block_encrypt(cipher, key->second, {}, c.data, true), sw::kSuccess};
}

}  // namespace cardd::vcard
