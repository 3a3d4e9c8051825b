// An in-process virtual card made from a KMC the way the card vendor does it
// (the card diversifies its own keys), and a host that knows only the KMC: it
// reads the chip identity from the card and derives the card's keys in the
// soft HSM, then opens SCP03 (aes, sm4) or SCP02 (des3) with cardd's own
// sessions. That both sides agree is itself a test of the diversification.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "cardd/hsm/factory.h"
#include "cardd/personalization/scp02.h"
#include "cardd/personalization/scp03.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/faulty_card.h"
#include "cardd/vcard/virtual_card.h"
#include "child_process.h"
#include "hex.h"
#include "soft_hsm.h"

namespace cardd::vcard::test {

using card::CommandApdu;
using card::ResponseApdu;
using card::StatusWord;
namespace sw = card::sw;

inline const card::Bytes kSerial = {0xC0, 0xFF, 0xEE, 0x01};
inline const card::Bytes kKmc = {0x6B, 0x2D, 0x11, 0x9A, 0x47, 0xE3, 0x05, 0xC8,
                                 0x31, 0x7F, 0xA2, 0x5C, 0x0E, 0xD9, 0x84, 0x26};

inline hsm::Algorithm algorithm_of(Cipher c) {
  return c == Cipher::des3  ? hsm::Algorithm::des3_2key
         : c == Cipher::sm4 ? hsm::Algorithm::sm4
                            : hsm::Algorithm::aes128;
}

// One STORE DATA DGI: tag, BER-style length (FF + 2 bytes from 255 on), value.
inline card::Bytes dgi(std::uint16_t tag, const card::Bytes& value) {
  card::Bytes out = {static_cast<std::uint8_t>(tag >> 8), static_cast<std::uint8_t>(tag)};
  if (value.size() < 0xFF) {
    out.push_back(static_cast<std::uint8_t>(value.size()));
  } else {
    out.insert(out.end(), {0xFF, static_cast<std::uint8_t>(value.size() >> 8),
                           static_cast<std::uint8_t>(value.size())});
  }
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

inline card::Bytes concat(std::initializer_list<card::Bytes> parts) {
  card::Bytes out;
  for (const card::Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A Reader over a FaultyCard: a card that gives no answer is a reader error.
class FaultyReader final : public card::Reader {
 public:
  FaultyReader(VirtualCard& card, Faults faults) : card_(card), faulty_(card, faults) {}
  std::string name() const override { return "faulty in-process card"; }
  Result<card::Bytes> connect() override {
    card_.reset();
    return card_.atr();
  }
  Status disconnect() override { return {}; }
  Result<card::ResponseApdu> transmit(const card::CommandApdu& command) override {
    auto encoded = command.encode();
    if (!encoded) return encoded.error();
    auto [outcome, response] = faulty_.process(*encoded);
    if (outcome == FaultyCard::Outcome::mute)
      return make_error(card::ReaderError::mute_card, "no answer");
    if (outcome != FaultyCard::Outcome::answer)
      return make_error(card::ReaderError::card_removed, "card gone");
    return card::ResponseApdu::parse(response);
  }
  Status wait_for_card(std::chrono::milliseconds) override { return {}; }
  Status wait_for_removal(std::chrono::milliseconds) override { return {}; }

 private:
  VirtualCard& card_;
  FaultyCard faulty_;
};

class CardFixture : public ::testing::TestWithParam<Cipher> {
 protected:
  void SetUp() override {
    hsm_ = cardd::test::open_soft_hsm(dir_.path());
    ASSERT_NE(hsm_, nullptr);
    insert(new_card(cipher()));
    import_kmc();
    derive_card_keys();
  }

  Cipher cipher() const { return GetParam(); }
  hsm::Algorithm algorithm() const { return algorithm_of(cipher()); }
  std::size_t block() const { return block_size(cipher()); }

  // A fresh card as the vendor delivers it.
  static CardState new_card(Cipher c) {
    CardState state;
    state.serial = kSerial;
    state.keys = *diversified_keys(c, kKmc, kSerial);
    return state;
  }

  void insert(CardState state, std::optional<Faults> faults = std::nullopt) {
    reader_.reset();
    card_ = std::make_unique<VirtualCard>(std::move(state));
    if (faults)
      reader_ = std::make_unique<FaultyReader>(*card_, *faults);
    else
      reader_ = std::make_unique<InProcessReader>(*card_);
    ASSERT_TRUE(reader_->connect().ok());
  }

  void import_kmc() {
    cardd::test::import_clear_key(*hsm_, hsm::KeySpec{"kmc", algorithm(), {hsm::Usage::derive}, 1},
                                  kKmc);
  }

  // What the host does: CHIP ID from the CPLC, keys diversified in the HSM.
  void derive_card_keys() {
    const auto cplc_answer = send(card::CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
    ASSERT_TRUE(cplc_answer.sw.ok());
    const card::Bytes cplc(cplc_answer.data.begin() + 3, cplc_answer.data.end());
    chip_id_.assign(cplc.begin(), cplc.begin() + 4);
    chip_id_.insert(chip_id_.end(), cplc.begin() + 12, cplc.begin() + 16);
    using hsm::Usage;
    const hsm::UsageSet usages[] = {{Usage::derive}, {Usage::derive}, {Usage::derive}};
    const hsm::UsageSet dek_scp03 = {Usage::wrap};
    const char* names[] = {"card/enc", "card/mac", "card/dek"};
    for (std::uint8_t x = 1; x <= 3; ++x) {
      hsm::Derivation how;
      if (cipher() == Cipher::des3) {
        const card::Bytes tail(chip_id_.begin() + 2, chip_id_.end());  // KDD[4..9]
        how = hsm::EncryptDataDerivation{
            hsm::CipherMode::ecb, {}, concat({tail, {0xF0, x}, tail, {0x0F, x}})};
      } else {
        how = hsm::Sp800108CmacDerivation{x, chip_id_};
      }
      if (x == 3) dek_derivation_ = how;
      const bool scp03_dek = x == 3 && cipher() != Cipher::des3;
      auto key = hsm_->derive(
          "kmc", how,
          hsm::KeySpec{names[x - 1], algorithm(), scp03_dek ? dek_scp03 : usages[x - 1], 1});
      ASSERT_TRUE(key.ok()) << key.error().describe();
    }
  }

  card::ResponseApdu send(const card::CommandApdu& c) {
    auto r = reader_->transmit(c);
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? *r : card::ResponseApdu{};
  }

  card::ResponseApdu select(const card::Bytes& aid) {
    return send(card::CommandApdu{0x00, 0xA4, 0x04, 0x00, aid, 256u});
  }
  card::ResponseApdu select_fid(std::uint16_t fid, std::uint8_t p1 = 0x00) {
    return send(
        card::CommandApdu{0x00,
                          0xA4,
                          p1,
                          0x00,
                          {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)},
                          256u});
  }

  personalization::SecureChannel& channel() {
    return scp03_ ? static_cast<personalization::SecureChannel&>(*scp03_) : *scp02_;
  }

  // SELECT the card manager, INITIALIZE UPDATE, EXTERNAL AUTHENTICATE.
  Status open_channel(std::uint8_t level = 0x03,
                      const card::Bytes& host_challenge = {1, 2, 3, 4, 5, 6, 7, 8}) {
    scp03_.reset();
    scp02_.reset();
    EXPECT_TRUE(select(card_manager_aid()).sw.ok());
    const std::uint8_t kvn = cipher() == Cipher::des3 ? kScp02KeyVersion : kScp03KeyVersion;
    const auto iu = send(personalization::initialize_update_command(kvn, host_challenge));
    if (auto s = card::check(iu, "INITIALIZE UPDATE"); !s) return s;
    iu_response_ = iu.data;
    if (cipher() == Cipher::des3) {
      auto s = personalization::Scp02Session::open(*hsm_, {"card/enc", "card/mac", "card/dek"},
                                                   host_challenge, iu.data, level);
      if (!s) return s.error();
      scp02_.emplace(std::move(*s));
    } else {
      auto s = personalization::Scp03Session::open(*hsm_, {"card/enc", "card/mac"}, host_challenge,
                                                   iu.data, level);
      if (!s) return s.error();
      scp03_.emplace(std::move(*s));
    }
    auto auth = channel().external_authenticate();
    if (!auth) return auth.error();
    return card::check(send(*auth), "EXTERNAL AUTHENTICATE");
  }

  // A command through the open secure channel, the response unwrapped.
  card::ResponseApdu send_secured(const card::CommandApdu& c) {
    auto wrapped = channel().wrap(c);
    EXPECT_TRUE(wrapped.ok()) << wrapped.error().describe();
    if (!wrapped) return {};
    auto answer = channel().unwrap(send(*wrapped));
    EXPECT_TRUE(answer.ok()) << answer.error().describe();
    return answer.ok() ? *answer : card::ResponseApdu{};
  }

  card::StatusWord store(const card::Bytes& data, std::uint8_t p1 = 0x80, std::uint8_t p2 = 0x00) {
    return send_secured(card::CommandApdu{0x80, 0xE2, p1, p2, data, std::nullopt}).sw;
  }

  // A DGI stream in commands of `chunk` bytes (a DGI may continue into the
  // next command); the status word of the first command that is refused, or
  // of the last one.
  card::StatusWord store_chunked(const card::Bytes& stream, std::size_t chunk = 200) {
    std::uint8_t block_number = 0;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      const std::size_t n = std::min(chunk, stream.size() - pos);
      const bool last = pos + n == stream.size();
      const card::Bytes part(stream.begin() + static_cast<std::ptrdiff_t>(pos),
                             stream.begin() + static_cast<std::ptrdiff_t>(pos + n));
      const card::StatusWord status = store(part, last ? 0x80 : 0x00, block_number++);
      if (!status.ok() || last) return status;
    }
    return card::StatusWord{};
  }

  card::ResponseApdu install(const card::Bytes& aid) {
    return send_secured(card::CommandApdu{
        0x80, 0xE6, 0x20, 0x00,
        concat({{0x00, 0x00, static_cast<std::uint8_t>(aid.size())}, aid, {0x00, 0x00, 0x00}}),
        256u});
  }

  // The key sensitive DGIs are encrypted under: the static DEK (SCP03) or
  // the session DEK (SCP02).
  std::string dek() const { return scp02_ ? scp02_->session_dek() : "card/dek"; }

  // Encrypted as the card expects sensitive data, for any bytes: a DEK only
  // wraps keys and well-formed PIN blocks, so the test derives a twin of the
  // DEK's value with encrypt usage of its own (the test plays a host that
  // holds the value) to send the card malformed data.
  card::Bytes encrypt_for_card(const card::Bytes& clear) {
    const std::string twin = "test/dek-twin";
    (void)hsm_->destroy(twin);
    const hsm::KeySpec spec{twin, algorithm(), {hsm::Usage::encrypt}, 1};
    Result<hsm::KeyInfo> made = make_error(hsm::HsmError::internal, "no DEK");
    if (scp02_) {
      card::Bytes data{0x01, 0x81, iu_response_[12], iu_response_[13]};
      data.resize(16, 0x00);
      made = hsm_->derive("card/dek", hsm::EncryptDataDerivation{hsm::CipherMode::cbc, {}, data},
                          spec);
    } else {
      made = hsm_->derive("kmc", dek_derivation_, spec);
    }
    EXPECT_TRUE(made.ok()) << made.error().describe();
    auto e = hsm_->encrypt(twin, hsm::CipherMode::ecb, {}, clear);
    EXPECT_TRUE(e.ok()) << e.error().describe();
    return e.ok() ? *e : card::Bytes{};
  }

  // An application key generated in the HSM; DGI 81kk carries it wrapped.
  card::Bytes new_application_key(const std::string& name) {
    auto k = hsm_->generate(hsm::KeySpec{name, algorithm(), {hsm::Usage::encrypt}, 1, true});
    EXPECT_TRUE(k.ok()) << k.error().describe();
    auto wrapped = hsm_->wrap(dek(), hsm::CipherMode::ecb, name);
    EXPECT_TRUE(wrapped.ok()) << wrapped.error().describe();
    return wrapped.ok() ? *wrapped : card::Bytes{};
  }

  // ISO 9564 format 2, then 8 bytes FF for 16-byte-block ciphers.
  card::Bytes pin_block(const std::string& digits) {
    card::Bytes out(8, 0xFF);
    out[0] = static_cast<std::uint8_t>(0x20 | digits.size());
    for (std::size_t i = 0; i < digits.size(); ++i) {
      const auto d = static_cast<std::uint8_t>(digits[i] - '0');
      std::uint8_t& b = out[1 + i / 2];
      b = i % 2 == 0 ? static_cast<std::uint8_t>((d << 4) | 0x0F)
                     : static_cast<std::uint8_t>((b & 0xF0) | d);
    }
    out.resize(block(), 0xFF);
    return out;
  }

  cardd::test::TempDir dir_;
  hsm::Derivation dek_derivation_;
  std::unique_ptr<hsm::Hsm> hsm_;
  std::unique_ptr<VirtualCard> card_;
  std::unique_ptr<card::Reader> reader_;
  std::optional<personalization::Scp03Session> scp03_;
  std::optional<personalization::Scp02Session> scp02_;
  card::Bytes chip_id_;
  card::Bytes iu_response_;
};

inline std::string cipher_name(const ::testing::TestParamInfo<Cipher>& info) {
  return std::string(to_string(info.param));
}

}  // namespace cardd::vcard::test
