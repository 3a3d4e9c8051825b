#include "new_card.h"

#include <fmt/format.h>

#include "cardd/common/hex.h"
#include "cardd/vcard/chip.h"

namespace cardd::vcard {

std::optional<CardState> make_card(const NewCard& n, std::string& error) {
  const auto serial = cardd::from_hex(n.serial);
  const auto cipher = cipher_from_string(n.cipher);
  const auto i = cardd::from_hex(n.scp02_i);
  if (!serial || serial->size() != 4) error = "--serial must be 8 hex digits";
  if (!cipher) error = "--cipher must be aes, sm4 or des3";
  if (!i || i->size() != 1 || ((*i)[0] != 0x15 && (*i)[0] != 0x55)) error = "--scp02-i is 15 or 55";
  if (n.kdf != "sp800-108-cmac" && n.kdf != "kdf3") error = "--kdf is sp800-108-cmac or kdf3";
  if (!error.empty()) return std::nullopt;
  CardState state;
  state.serial = *serial;
  if (!n.kmc.empty()) {
    const auto kmc = cardd::from_hex(n.kmc);
    auto keys = kmc ? diversified_keys(*cipher, *kmc, *serial,
                                       n.kdf == "kdf3" ? Scp03Kdf::kdf3 : Scp03Kdf::chip_id)
                    : std::nullopt;
    if (!keys) {
      error = "--kmc must be 32 hex digits";
      return std::nullopt;
    }
    state.keys = std::move(*keys);
  } else {
    const auto e = cardd::from_hex(n.enc), m = cardd::from_hex(n.mac), d = cardd::from_hex(n.dek);
    const auto fits = [&](const std::optional<Bytes>& k) {
      return k &&
             (k->size() == 16 || (*cipher == Cipher::aes && (k->size() == 24 || k->size() == 32)));
    };
    if (!fits(e) || !fits(m) || !fits(d)) {
      error = "--enc/--mac/--dek must be 16-byte keys (aes also 24 or 32) in hex";
      return std::nullopt;
    }
    state.keys = StaticKeys{*cipher, *e, *m, *d,
                            *cipher == Cipher::des3 ? kScp02KeyVersion : kScp03KeyVersion};
  }
  state.keys.scp02_i = (*i)[0];
  if (n.auth_limit > 0) state.auth_limit = static_cast<std::uint8_t>(n.auth_limit);
  return state;
}

std::optional<std::string> serial_after(const std::string& first, std::uint32_t offset) {
  const auto bytes = cardd::from_hex(first);
  if (!bytes || bytes->size() != 4) return std::nullopt;
  std::uint64_t value = 0;
  for (const auto b : *bytes) value = value << 8 | b;
  value += offset;
  if (value > 0xFFFFFFFFu) return std::nullopt;
  return fmt::format("{:08X}", value);
}

}  // namespace cardd::vcard
