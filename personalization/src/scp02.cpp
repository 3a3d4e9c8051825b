#include "cardd/personalization/scp02.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <atomic>

namespace cardd::personalization {
namespace {

constexpr std::size_t kMac = 8;

}  // namespace

Result<Scp02Session> Scp02Session::open(hsm::Hsm& hsm, const Scp02Keys& keys,
                                        card::ByteView host_challenge, card::ByteView r,
                                        std::uint8_t security_level, std::uint8_t i) {
  // KDD(10) | KVN | SCP id 02 | sequence counter(2) | card challenge(6) | card cryptogram(8)
  if (r.size() != 28 || r[11] != 0x02 || host_challenge.size() != 8)
    return make_error(SecureChannelError::bad_response,
                      fmt::format("INITIALIZE UPDATE response of {} bytes is not SCP02", r.size()));
  if (security_level != 0x01 && security_level != 0x03)
    return make_error(SecureChannelError::unsupported_level,
                      "SCP02 here offers C-MAC (01) and C-DECRYPTION (03)");
  Scp02Session s;
  s.keys_ = SessionKeys(hsm, "scp02");
  s.level_ = security_level;
  s.i_ = i;
  s.s_enc_ = s.keys_.add("s-enc");
  s.s_mac_ = s.keys_.add("s-mac");
  s.s_dek_ = s.keys_.add("s-dek");
  const card::ByteView sequence = r.subspan(12, 2);
  using hsm::Usage;
  const struct {
    const std::string& base;
    std::uint8_t constant;
    const std::string& name;
    hsm::UsageSet usage;
  } derivations[] = {{keys.enc, 0x82, s.s_enc_, {Usage::encrypt}},
                     {keys.mac, 0x01, s.s_mac_, {Usage::mac}},
                     {keys.dek, 0x81, s.s_dek_, {Usage::wrap}}};
  for (const auto& d : derivations) {
    card::Bytes data{0x01, d.constant, sequence[0], sequence[1]};
    data.resize(16, 0x00);
    auto key = hsm.derive(d.base, hsm::EncryptDataDerivation{hsm::CipherMode::cbc, {}, data},
                          hsm::KeySpec{d.name, hsm::Algorithm::des3_2key, d.usage, 1});
    if (!key) return key.error();
  }
  const card::ByteView card_challenge = r.subspan(14, 6);
  // Cryptograms: full 3DES CBC-MAC with S-ENC = the last block of a CBC encryption.
  auto cryptogram = [&](card::ByteView a, card::ByteView b,
                        card::ByteView c) -> Result<card::Bytes> {
    card::Bytes input(a.begin(), a.end());
    input.insert(input.end(), b.begin(), b.end());
    input.insert(input.end(), c.begin(), c.end());
    auto chain = hsm.encrypt(s.s_enc_, hsm::CipherMode::cbc, {}, pad80(input, 8));
    if (!chain) return chain.error();
    return card::Bytes(chain->end() - kMac, chain->end());
  };
  auto card = cryptogram(host_challenge, sequence, card_challenge);
  if (!card) return card.error();
  if (CRYPTO_memcmp(card->data(), r.data() + 20, kMac) != 0)
    return make_error(SecureChannelError::card_cryptogram,
                      "the card cryptogram does not verify: wrong keys or not the expected card");
  auto host = cryptogram(sequence, card_challenge, host_challenge);
  if (!host) return host.error();
  s.host_cryptogram_ = std::move(*host);
  return s;
}

Result<card::CommandApdu> Scp02Session::protect(const card::CommandApdu& command,
                                                bool encrypt_data) {
  if (command.data.size() + kMac > 255)
    return make_error(SecureChannelError::too_long, "wrapped command data would exceed 255 bytes");
  // C-MAC over the modified header and the plain data.
  const auto cla = static_cast<std::uint8_t>(command.cla | 0x04);
  card::Bytes input{cla, command.ins, command.p1, command.p2,
                    static_cast<std::uint8_t>(command.data.size() + kMac)};
  input.insert(input.end(), command.data.begin(), command.data.end());
  input = pad80(input, 8);
  if (!last_mac_.empty()) {
    card::Bytes icv = last_mac_;
    if (i_ == 0x55) {
      auto encrypted = keys_.hsm().mac(s_mac_, hsm::MacMethod::des_k1_mac, icv);
      if (!encrypted) return encrypted.error();
      icv = std::move(*encrypted);
    }
    // A CBC-MAC with an ICV is the MAC of the data with the ICV folded into
    // its first block.
    for (std::size_t k = 0; k < 8; ++k) input[k] ^= icv[k];
  }
  auto mac = keys_.hsm().mac(s_mac_, hsm::MacMethod::retail_mac, input);
  if (!mac) return mac.error();
  last_mac_ = *mac;
  card::Bytes data = command.data;
  if (encrypt_data && !data.empty()) {
    auto encrypted = keys_.hsm().encrypt(s_enc_, hsm::CipherMode::cbc, {}, pad80(data, 8));
    if (!encrypted) return encrypted.error();
    data = std::move(*encrypted);
    if (data.size() + kMac > 255)
      return make_error(SecureChannelError::too_long,
                        "encrypted command data would exceed 255 bytes");
  }
  data.insert(data.end(), mac->begin(), mac->end());
  return card::CommandApdu{
      cla,        command.ins,     command.p1,
      command.p2, std::move(data), command.le ? std::optional<std::uint32_t>(256u) : std::nullopt};
}

Result<card::CommandApdu> Scp02Session::external_authenticate() {
  auto wrapped =
      protect(card::CommandApdu{0x80, 0x82, level_, 0x00, host_cryptogram_, std::nullopt}, false);
  if (wrapped) authenticated_ = true;
  return wrapped;
}

Result<card::CommandApdu> Scp02Session::wrap(const card::CommandApdu& command) {
  if (!authenticated_)
    return make_error(SecureChannelError::not_authenticated, "EXTERNAL AUTHENTICATE first");
  return protect(command, (level_ & 0x02) != 0);
}

}  // namespace cardd::personalization
