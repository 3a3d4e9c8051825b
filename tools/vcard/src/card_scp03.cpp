#include "card_scp03.h"

#include <openssl/crypto.h>

namespace cardd::vcard {
namespace {

constexpr std::size_t kMac = 8;

Bytes icv_block(std::uint64_t counter, bool response) {
  Bytes block(16, 0);
  for (std::size_t i = 0; i < 8; ++i) block[15 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  if (response) block[0] = 0x80;
  return block;
}

bool equal(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Bytes CardScp03::initialize_update(const StaticKeys& keys, ByteView kdd, ByteView host_challenge,
                                   ByteView card_challenge, std::uint32_t sequence) {
  reset();
  cipher_ = keys.cipher;
  context_.assign(host_challenge.begin(), host_challenge.end());
  context_.insert(context_.end(), card_challenge.begin(), card_challenge.end());
  s_enc_ = scp03_kdf(cipher_, keys.enc, 0x04, keys.enc.size(), context_);
  s_mac_ = scp03_kdf(cipher_, keys.mac, 0x06, keys.mac.size(), context_);
  s_rmac_ = scp03_kdf(cipher_, keys.mac, 0x07, keys.mac.size(), context_);
  const Bytes card_cryptogram = scp03_kdf(cipher_, s_mac_, 0x00, 8, context_);
  Bytes out(kdd.begin(), kdd.end());
  out.insert(out.end(), {keys.version, 0x03, 0x70});
  out.insert(out.end(), card_challenge.begin(), card_challenge.end());
  out.insert(out.end(), card_cryptogram.begin(), card_cryptogram.end());
  out.insert(out.end(),
             {static_cast<std::uint8_t>(sequence >> 16), static_cast<std::uint8_t>(sequence >> 8),
              static_cast<std::uint8_t>(sequence)});
  initialized_ = true;
  return out;
}

std::uint16_t CardScp03::external_authenticate(const CommandApdu& c) {
  if (!initialized_ || c.data.size() != 16) return 0x6985;
  const Bytes host_cryptogram = scp03_kdf(cipher_, s_mac_, 0x01, 8, context_);
  if (!equal(ByteView(c.data).subspan(0, 8), host_cryptogram)) return 0x6300;
  Bytes input = chaining_;
  input.insert(input.end(), {c.cla, c.ins, c.p1, c.p2, static_cast<std::uint8_t>(c.data.size())});
  input.insert(input.end(), c.data.begin(), c.data.begin() + 8);
  const Bytes full = cmac(cipher_, s_mac_, input);
  if (!equal(ByteView(c.data).subspan(8, 8), ByteView(full).subspan(0, kMac))) return 0x6982;
  chaining_ = full;
  level_ = c.p1;
  authenticated_ = true;
  return 0x9000;
}

std::variant<CommandApdu, std::uint16_t> CardScp03::unwrap(const CommandApdu& c) {
  if (!authenticated_) return std::uint16_t{0x6982};
  if ((level_ & 0x01) == 0) return c;
  if ((c.cla & 0x04) == 0 || c.data.size() < kMac) return std::uint16_t{0x6982};
  const std::size_t body_size = c.data.size() - kMac;
  Bytes input = chaining_;
  input.insert(input.end(), {c.cla, c.ins, c.p1, c.p2, static_cast<std::uint8_t>(c.data.size())});
  input.insert(input.end(), c.data.begin(),
               c.data.begin() + static_cast<std::ptrdiff_t>(body_size));
  const Bytes full = cmac(cipher_, s_mac_, input);
  if (!equal(ByteView(c.data).subspan(body_size, kMac), ByteView(full).subspan(0, kMac))) {
    authenticated_ = false;  // a wrong MAC ends the session
    return std::uint16_t{0x6982};
  }
  chaining_ = full;
  CommandApdu plain = c;
  plain.cla = static_cast<std::uint8_t>(c.cla & ~0x04);
  plain.data.assign(c.data.begin(), c.data.begin() + static_cast<std::ptrdiff_t>(body_size));
  if ((level_ & 0x02) != 0) {
    ++counter_;
    if (!plain.data.empty()) {
      if (plain.data.size() % 16 != 0) return std::uint16_t{0x6988};
      const Bytes icv = block_encrypt(cipher_, s_enc_, {}, icv_block(counter_, false), true);
      Bytes clear = block_encrypt(cipher_, s_enc_, icv, plain.data, false);
      while (!clear.empty() && clear.back() == 0x00) clear.pop_back();
      if (clear.empty() || clear.back() != 0x80) return std::uint16_t{0x6988};
      clear.pop_back();
      plain.data = std::move(clear);
    }
  }
  return plain;
}

Bytes CardScp03::protect_response(Bytes data, std::uint16_t sw) {
  const bool protectable = sw == 0x9000 || (sw >> 8) == 0x62 || (sw >> 8) == 0x63;
  if (!authenticated_ || (level_ & 0x10) == 0 || !protectable) return data;
  if ((level_ & 0x20) != 0 && !data.empty()) {
    data.push_back(0x80);
    while (data.size() % 16 != 0) data.push_back(0x00);
    const Bytes icv = block_encrypt(cipher_, s_enc_, {}, icv_block(counter_, true), true);
    data = block_encrypt(cipher_, s_enc_, icv, data, true);
  }
  Bytes input = chaining_;
  input.insert(input.end(), data.begin(), data.end());
  input.insert(input.end(), {static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)});
  const Bytes rmac = cmac(cipher_, s_rmac_, input);
  data.insert(data.end(), rmac.begin(), rmac.begin() + kMac);
  return data;
}

}  // namespace cardd::vcard
