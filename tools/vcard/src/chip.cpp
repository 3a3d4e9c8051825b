#include "cardd/vcard/chip.h"

#include <algorithm>

#include "card_crypto.h"

namespace cardd::vcard {
namespace {

constexpr std::size_t kCplcSize = 42;

std::uint8_t with_odd_parity(std::uint8_t b) {
  const auto ones = __builtin_popcount(b & 0xFE);
  return static_cast<std::uint8_t>((b & 0xFE) | (ones % 2 == 0 ? 1 : 0));
}

}  // namespace

Bytes cplc(ByteView serial) {
  Bytes c(kCplcSize, 0);
  c[0] = 0x47;  // IC fabricator
  c[1] = 0x90;
  c[2] = 0x53;  // IC type
  c[3] = 0x01;
  std::copy(serial.begin(), serial.end(), c.begin() + 12);
  return c;  // bytes 16–17, the IC batch, stay 00 00
}

Bytes chip_id(ByteView serial) {
  const Bytes c = cplc(serial);
  Bytes id(c.begin(), c.begin() + 4);
  id.insert(id.end(), c.begin() + 12, c.begin() + 16);
  return id;
}

Bytes key_diversification_data(ByteView serial) {
  Bytes kdd = {0x00, 0x00};
  const Bytes id = chip_id(serial);
  kdd.insert(kdd.end(), id.begin(), id.end());
  return kdd;
}

std::optional<StaticKeys> diversified_keys(Cipher cipher, ByteView kmc, ByteView serial,
                                           Scp03Kdf kdf) {
  if (kmc.size() != 16) return std::nullopt;
  StaticKeys keys;
  keys.cipher = cipher;
  Bytes* const targets[] = {&keys.enc, &keys.mac, &keys.dek};
  if (cipher == Cipher::des3) {
    keys.version = kScp02KeyVersion;
    const Bytes kdd = key_diversification_data(serial);
    const ByteView tail = ByteView(kdd).subspan(4, 6);
    for (std::uint8_t x = 1; x <= 3; ++x) {
      Bytes data(tail.begin(), tail.end());
      data.insert(data.end(), {0xF0, x});
      data.insert(data.end(), tail.begin(), tail.end());
      data.insert(data.end(), {0x0F, x});
      Bytes key = tdes(kmc, {}, data, true);
      std::transform(key.begin(), key.end(), key.begin(), with_odd_parity);
      *targets[x - 1] = std::move(key);
    }
    return keys;
  }
  keys.version = kScp03KeyVersion;
  if (kdf == Scp03Kdf::kdf3) {
    const Bytes kdd = key_diversification_data(serial);
    for (std::uint8_t x = 1; x <= 3; ++x) {
      Bytes input = {0x01, 0x00, 0x00, 0x00, x, 0x00};
      input.insert(input.end(), kdd.begin(), kdd.end());
      *targets[x - 1] = cmac(cipher, kmc, input);
    }
    return keys;
  }
  const Bytes context = chip_id(serial);
  for (std::uint8_t x = 1; x <= 3; ++x) *targets[x - 1] = scp03_kdf(cipher, kmc, x, 16, context);
  return keys;
}

}  // namespace cardd::vcard
