#include "card_scp02.h"

#include <openssl/crypto.h>

namespace cardd::vcard {
namespace {

Bytes pad(Bytes data) {
  data.push_back(0x80);
  while (data.size() % 8 != 0) data.push_back(0x00);
  return data;
}

Bytes session_key(ByteView key, std::uint8_t constant, std::uint16_t sequence) {
  Bytes data{0x01, constant, static_cast<std::uint8_t>(sequence >> 8),
             static_cast<std::uint8_t>(sequence)};
  data.resize(16, 0);
  return tdes(key, Bytes(8, 0), data, true);
}

Bytes full_mac(ByteView key, Bytes input) {
  const Bytes chain = tdes(key, Bytes(8, 0), pad(std::move(input)), true);
  return Bytes(chain.end() - 8, chain.end());
}

}  // namespace

Bytes CardScp02::initialize_update(const StaticKeys& keys, ByteView kdd, ByteView host_challenge,
                                   ByteView card_challenge, std::uint16_t sequence) {
  reset();
  i_ = keys.scp02_i;
  s_enc_ = session_key(keys.enc, 0x82, sequence);
  s_mac_ = session_key(keys.mac, 0x01, sequence);
  s_dek_ = session_key(keys.dek, 0x81, sequence);
  const Bytes seq{static_cast<std::uint8_t>(sequence >> 8), static_cast<std::uint8_t>(sequence)};
  Bytes card_input(host_challenge.begin(), host_challenge.end());
  card_input.insert(card_input.end(), seq.begin(), seq.end());
  card_input.insert(card_input.end(), card_challenge.begin(), card_challenge.end());
  Bytes host_input = seq;
  host_input.insert(host_input.end(), card_challenge.begin(), card_challenge.end());
  host_input.insert(host_input.end(), host_challenge.begin(), host_challenge.end());
  host_cryptogram_ = full_mac(s_enc_, host_input);
  const Bytes card_cryptogram = full_mac(s_enc_, card_input);
  Bytes out(kdd.begin(), kdd.end());
  out.insert(out.end(), {keys.version, 0x02});
  out.insert(out.end(), seq.begin(), seq.end());
  out.insert(out.end(), card_challenge.begin(), card_challenge.end());
  out.insert(out.end(), card_cryptogram.begin(), card_cryptogram.end());
  initialized_ = true;
  return out;
}

bool CardScp02::check_mac(const card::CommandApdu& plain, ByteView mac) {
  Bytes input{plain.cla, plain.ins, plain.p1, plain.p2,
              static_cast<std::uint8_t>(plain.data.size() + 8)};
  input.insert(input.end(), plain.data.begin(), plain.data.end());
  Bytes icv(8, 0);
  if (!last_mac_.empty()) icv = i_ == 0x55 ? single_des(s_mac_, {}, last_mac_, true) : last_mac_;
  const Bytes expected = retail_mac(s_mac_, icv, pad(std::move(input)));
  if (CRYPTO_memcmp(expected.data(), mac.data(), 8) != 0) return false;
  last_mac_ = expected;
  return true;
}

std::uint16_t CardScp02::external_authenticate(const card::CommandApdu& c) {
  if (!initialized_ || c.data.size() != 16) return 0x6985;
  if (CRYPTO_memcmp(c.data.data(), host_cryptogram_.data(), 8) != 0) return 0x6300;
  card::CommandApdu plain = c;
  plain.data.resize(8);
  if (!check_mac(plain, ByteView(c.data).subspan(8, 8))) return 0x6982;
  level_ = c.p1;
  authenticated_ = true;
  return 0x9000;
}

std::variant<card::CommandApdu, std::uint16_t> CardScp02::unwrap(const card::CommandApdu& c) {
  if (!authenticated_) return std::uint16_t{0x6982};
  if ((c.cla & 0x04) == 0 || c.data.size() < 8) return std::uint16_t{0x6982};
  card::CommandApdu plain = c;
  const ByteView mac = ByteView(c.data).subspan(c.data.size() - 8, 8);
  plain.data.assign(c.data.begin(), c.data.end() - 8);
  if ((level_ & 0x02) != 0 && !plain.data.empty()) {
    if (plain.data.size() % 8 != 0) return std::uint16_t{0x6988};
    Bytes clear = tdes(s_enc_, Bytes(8, 0), plain.data, false);
    while (!clear.empty() && clear.back() == 0x00) clear.pop_back();
    if (clear.empty() || clear.back() != 0x80) return std::uint16_t{0x6988};
    clear.pop_back();
    plain.data = std::move(clear);
  }
  if (!check_mac(plain, mac)) {
    authenticated_ = false;
    return std::uint16_t{0x6982};
  }
  plain.cla = static_cast<std::uint8_t>(c.cla & ~0x04);
  return plain;
}

}  // namespace cardd::vcard
