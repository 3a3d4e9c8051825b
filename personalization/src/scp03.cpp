#include "cardd/personalization/scp03.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <atomic>

namespace cardd::personalization {
namespace {

constexpr std::uint8_t kSecureMessagingCla = 0x04;
constexpr std::size_t kChallengeSize = 8;  // S8 mode
constexpr std::size_t kMacSize = 8;

// The SP 800-108 input block for data (cryptograms) rather than keys.
card::Bytes kdf_block(std::uint8_t constant, std::uint16_t bits, card::ByteView context) {
  card::Bytes block(16 + context.size(), 0x00);  // 11 zero bytes of label first
  block[11] = constant;
  block[13] = static_cast<std::uint8_t>(bits >> 8);
  block[14] = static_cast<std::uint8_t>(bits);
  block[15] = 0x01;  // counter i
  std::copy(context.begin(), context.end(), block.begin() + 16);
  return block;
}

std::optional<card::Bytes> unpad80(const card::Bytes& data) {
  std::size_t end = data.size();
  while (end > 0 && data[end - 1] == 0x00) --end;
  if (end == 0 || data[end - 1] != 0x80) return std::nullopt;
  return card::Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(end - 1));
}

}  // namespace

Result<Scp03Session> Scp03Session::open(hsm::Hsm& hsm, const Scp03Keys& keys,
                                        card::ByteView host_challenge, card::ByteView response,
                                        std::uint8_t security_level) {
  // KDD(10) | KVN | SCP id 03 | i | card challenge(8) | card cryptogram(8) [| sequence counter(3)]
  if ((response.size() != 29 && response.size() != 32) || response[11] != 0x03 ||
      host_challenge.size() != kChallengeSize)
    return make_error(
        SecureChannelError::bad_response,
        fmt::format("INITIALIZE UPDATE response of {} bytes is not SCP03 (S8)", response.size()));
  auto info = hsm.info(keys.mac);
  if (!info) return info.error();

  Scp03Session s;
  s.keys_ = SessionKeys(hsm, "scp03");
  s.algorithm_ = info->spec.algorithm;
  s.level_ = security_level;
  s.key_version_ = response[10];
  s.s_enc_ = s.keys_.add("s-enc");
  s.s_mac_ = s.keys_.add("s-mac");
  s.s_rmac_ = s.keys_.add("s-rmac");

  card::Bytes context(host_challenge.begin(), host_challenge.end());
  const card::ByteView card_challenge = response.subspan(13, kChallengeSize);
  context.insert(context.end(), card_challenge.begin(), card_challenge.end());
  using hsm::Usage;
  const struct {
    const std::string& base;
    std::uint8_t constant;
    const std::string& name;
    hsm::UsageSet usage;
  } derivations[] = {{keys.enc, 0x04, s.s_enc_, {Usage::encrypt, Usage::decrypt}},
                     {keys.mac, 0x06, s.s_mac_, {Usage::mac}},
                     {keys.mac, 0x07, s.s_rmac_, {Usage::mac}}};
  for (const auto& d : derivations) {
    auto key = hsm.derive(d.base, hsm::Sp800108CmacDerivation{d.constant, context},
                          hsm::KeySpec{d.name, s.algorithm_, d.usage, 1});
    if (!key) return key.error();
  }

  auto card_cryptogram = s.mac(s.s_mac_, kdf_block(0x00, 64, context));
  if (!card_cryptogram) return card_cryptogram.error();
  const card::ByteView expected = response.subspan(21, kMacSize);
  if (CRYPTO_memcmp(card_cryptogram->data(), expected.data(), kMacSize) != 0)
    return make_error(SecureChannelError::card_cryptogram,
                      "the card cryptogram does not verify: wrong keys or not the expected card");
  auto host_cryptogram = s.mac(s.s_mac_, kdf_block(0x01, 64, context));
  if (!host_cryptogram) return host_cryptogram.error();
  s.host_cryptogram_.assign(host_cryptogram->begin(), host_cryptogram->begin() + kMacSize);
  return s;
}

Result<card::Bytes> Scp03Session::mac(const std::string& key, card::ByteView data) {
  return keys_.hsm().mac(key, hsm::MacMethod::cmac, data);
}

Result<card::Bytes> Scp03Session::icv(bool for_response) {
  card::Bytes block(16, 0);
  for (std::size_t i = 0; i < 8; ++i)
    block[15 - i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
  if (for_response) block[0] = 0x80;
  return keys_.hsm().encrypt(s_enc_, hsm::CipherMode::ecb, {}, block);
}

Result<card::CommandApdu> Scp03Session::protect(const card::CommandApdu& command,
                                                bool encrypt_data) {
  card::Bytes data = command.data;
  if (encrypt_data) {
    ++counter_;  // counted for every command, with data or not
    if (!data.empty()) {
      auto iv = icv(false);
      if (!iv) return iv.error();
      auto encrypted = keys_.hsm().encrypt(s_enc_, hsm::CipherMode::cbc, *iv, pad80(data, 16));
      if (!encrypted) return encrypted.error();
      data = std::move(*encrypted);
    }
  }
  if (data.size() + kMacSize > 255)
    return make_error(SecureChannelError::too_long, "wrapped command data would exceed 255 bytes");
  const auto cla = static_cast<std::uint8_t>((command.cla & 0xF0) | kSecureMessagingCla);
  card::Bytes input = chaining_;
  input.insert(input.end(), {cla, command.ins, command.p1, command.p2,
                             static_cast<std::uint8_t>(data.size() + kMacSize)});
  input.insert(input.end(), data.begin(), data.end());
  auto full = mac(s_mac_, input);
  if (!full) return full.error();
  chaining_ = *full;
  data.insert(data.end(), full->begin(), full->begin() + kMacSize);
  return card::CommandApdu{
      cla,        command.ins,     command.p1,
      command.p2, std::move(data), command.le ? std::optional<std::uint32_t>(256u) : std::nullopt};
}

Result<card::CommandApdu> Scp03Session::external_authenticate() {
  const card::CommandApdu command{0x80, 0x82, level_, 0x00, host_cryptogram_, std::nullopt};
  auto wrapped = protect(command, false);  // never encrypted
  if (wrapped) authenticated_ = true;
  return wrapped;
}

Result<card::CommandApdu> Scp03Session::wrap(const card::CommandApdu& command) {
  if (!authenticated_)
    return make_error(SecureChannelError::not_authenticated, "EXTERNAL AUTHENTICATE first");
  if ((level_ & scp03_level::kCMac) == 0) return command;
  return protect(command, (level_ & scp03_level::kCDecryption) != 0);
}

Result<card::ResponseApdu> Scp03Session::unwrap(const card::ResponseApdu& response) {
  if ((level_ & scp03_level::kRMac) == 0) return response;
  const bool protected_sw =
      response.sw.ok() || response.sw.sw1() == 0x62 || response.sw.sw1() == 0x63;
  if (!protected_sw) return response;
  if (response.data.size() < kMacSize)
    return make_error(SecureChannelError::response_mac,
                      fmt::format("response with {} has no R-MAC", response.sw.to_string()));
  card::Bytes body(response.data.begin(), response.data.end() - kMacSize);
  card::Bytes input = chaining_;
  input.insert(input.end(), body.begin(), body.end());
  input.insert(input.end(), {response.sw.sw1(), response.sw.sw2()});
  auto expected = mac(s_rmac_, input);
  if (!expected) return expected.error();
  if (CRYPTO_memcmp(expected->data(), response.data.data() + body.size(), kMacSize) != 0)
    return make_error(SecureChannelError::response_mac, "R-MAC does not verify");
  if ((level_ & scp03_level::kREncryption) != 0 && !body.empty()) {
    auto iv = icv(true);
    if (!iv) return iv.error();
    auto clear = keys_.hsm().decrypt(s_enc_, hsm::CipherMode::cbc, *iv, body);
    if (!clear) return clear.error();
    auto unpadded = unpad80(*clear);
    if (!unpadded)
      return make_error(SecureChannelError::response_mac, "decrypted response has no 80 padding");
    body = std::move(*unpadded);
  }
  return card::ResponseApdu{std::move(body), response.sw};
}

}  // namespace cardd::personalization
