// Secure messaging after authentication, checked against second
// implementations written here from the GlobalPlatform specifications with
// plain OpenSSL, not against our own vcard. SCP03 (Amendment D): session
// keys by the SP 800-108 KDF, C-MAC chaining, C-DECRYPTION with the
// counter's ICV, then answers protected as a card does (R-ENCRYPTION, R-MAC)
// that the session must open. SCP02 (GP 2.2 Appendix E): session keys, the
// retail C-MAC chained over commands, its ICV encrypted with i=55, and
// C-DECRYPTION. Each reference is first checked on a real card's published
// EXTERNAL AUTHENTICATE (the traces of scp03_test.cpp and scp02_test.cpp).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>

#include "cardd/personalization/scp02.h"
#include "cardd/personalization/scp03.h"
#include "child_process.h"
#include "hex.h"
#include "reference_crypto.h"
#include "soft_hsm.h"

namespace cardd::personalization {
namespace {

using test::hex;
using test::reference::aes_cbc;
using test::reference::aes_cmac;
using test::reference::cat;
using test::reference::cbc;
using Bytes = std::vector<std::uint8_t>;

// Two-key triple DES; single DES is triple DES with K1 = K2 (OpenSSL 3 keeps
// plain DES in its legacy provider).
Bytes tdes_cbc(const Bytes& key, const Bytes& data) {
  return cbc(EVP_des_ede_cbc(), key, Bytes(8, 0x00), data);
}
Bytes des(const Bytes& key8, const Bytes& block) { return tdes_cbc(cat({key8, key8}), block); }

Bytes pad80(Bytes data, std::size_t block = 16) {
  data.push_back(0x80);
  while (data.size() % block != 0) data.push_back(0x00);
  return data;
}

Bytes first8(const Bytes& b) { return Bytes(b.begin(), b.begin() + 8); }

Bytes kdf(const Bytes& key, std::uint8_t constant, std::uint16_t bits, const Bytes& context) {
  return test::reference::scp03_kdf(key, constant, bits, context);
}

// The card and host side of one session, computed here.
struct Scp03Model {
  Bytes s_enc, s_mac, s_rmac, chaining = Bytes(16, 0x00);
  std::uint8_t counter = 0;

  Scp03Model(const Bytes& enc, const Bytes& mac, const Bytes& context)
      : s_enc(kdf(enc, 0x04, 128, context)),
        s_mac(kdf(mac, 0x06, 128, context)),
        s_rmac(kdf(mac, 0x07, 128, context)) {}

  Bytes host_cryptogram(const Bytes& context) const { return kdf(s_mac, 0x01, 64, context); }

  // Header and data with the C-MAC appended; the chaining value moves on.
  Bytes mac_command(Bytes header, const Bytes& data) {
    header.push_back(static_cast<std::uint8_t>(data.size() + 8));
    chaining = aes_cmac(s_mac, cat({chaining, header, data}));
    return cat({header, data, first8(chaining)});
  }

  Bytes counter_block(std::uint8_t first) const {
    Bytes block(16, 0x00);
    block[0] = first;
    block[15] = counter;
    return aes_cbc(s_enc, Bytes(16, 0x00), block);
  }

  Bytes encrypt_command(const Bytes& data) {
    ++counter;
    return aes_cbc(s_enc, counter_block(0x00), pad80(data));
  }

  // The card's answer to the last command: R-ENCRYPTION, then the R-MAC over
  // the command's chaining value, the data and the status word.
  Bytes protect_response(const Bytes& data, const Bytes& sw) const {
    const Bytes encrypted = aes_cbc(s_enc, counter_block(0x80), pad80(data));
    const Bytes rmac = first8(aes_cmac(s_rmac, cat({chaining, encrypted, sw})));
    return cat({encrypted, rmac});
  }
};

class Scp03ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hsm_ = test::open_soft_hsm(dir_.path());
    ASSERT_NE(hsm_, nullptr);
    for (const auto& [name, value] : {std::pair{"card/enc", kEnc}, std::pair{"card/mac", kMac}})
      test::import_clear_key(
          *hsm_, hsm::KeySpec{name, hsm::Algorithm::aes128, {hsm::Usage::derive}, 1}, hex(value));
  }

  static constexpr const char* kEnc = "000102030405060708090a0b0c0d0e0f";
  static constexpr const char* kMac = "101112131415161718191a1b1c1d1e1f";
  // A real card's INITIALIZE UPDATE (osmocom pySim trace, docs/test-vectors.md §8).
  const Bytes host_challenge_ = hex("8E1552D0513C60F3");
  const Bytes card_challenge_ = hex("30760CD2C47C1DD3");
  const Bytes response_ =
      hex("00000000000000000000 3003 70 30760CD2C47C1DD3 95065FE5EAD8A9D7 000001");
  test::TempDir dir_;
  std::unique_ptr<hsm::Hsm> hsm_;
};

TEST_F(Scp03ModelTest, TheModelReproducesTheRealCardsExternalAuthenticate) {
  const Bytes context = cat({host_challenge_, card_challenge_});
  Scp03Model ref(hex(kEnc), hex(kMac), context);
  EXPECT_EQ(kdf(ref.s_mac, 0x00, 64, context), hex("95065FE5EAD8A9D7")) << "card cryptogram";
  EXPECT_EQ(ref.mac_command(hex("84820300"), ref.host_cryptogram(context)),
            hex("8482030010 FD4721A14D9B0700 3C451D2F8AE6BB21"));
}

TEST_F(Scp03ModelTest, CommandsAndResponsesAtTheFullSecurityLevelMatchTheModel) {
  const std::uint8_t level = 0x33;  // C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION
  auto session = Scp03Session::open(*hsm_, Scp03Keys{"card/enc", "card/mac"}, host_challenge_,
                                    response_, level);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  const Bytes context = cat({host_challenge_, card_challenge_});
  Scp03Model ref(hex(kEnc), hex(kMac), context);

  auto auth = session->external_authenticate();
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(*auth->encode(),
            ref.mac_command({0x84, 0x82, level, 0x00}, ref.host_cryptogram(context)));

  // Two commands in a row: the chaining value and the counter carry over.
  for (const Bytes& data : {hex("0101 03 112233"), hex("8202 20 000102030405060708090A0B0C0D0E0F"
                                                       "101112131415161718191A1B1C1D1E1F")}) {
    SCOPED_TRACE(test::to_hex(data));
    const card::CommandApdu store{0x80, 0xE2, 0x00, 0x00, data, std::nullopt};
    auto wrapped = session->wrap(store);
    ASSERT_TRUE(wrapped.ok()) << wrapped.error().describe();
    EXPECT_EQ(*wrapped->encode(), ref.mac_command(hex("84E20000"), ref.encrypt_command(data)));

    const Bytes answer = hex("CAFE 0102");
    auto opened = session->unwrap(
        card::ResponseApdu{ref.protect_response(answer, hex("9000")), card::sw::kSuccess});
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    EXPECT_EQ(opened->data, answer);
  }

  // An answer protected for another status word does not open.
  const Bytes data = hex("0101 01 44");
  ASSERT_TRUE(session->wrap(card::CommandApdu{0x80, 0xE2, 0x00, 0x00, data, std::nullopt}).ok());
  (void)ref.mac_command(hex("84E20000"), ref.encrypt_command(data));
  auto forged = session->unwrap(
      card::ResponseApdu{ref.protect_response(hex("01"), hex("6310")), card::sw::kSuccess});
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, SecureChannelError::response_mac);
}

// GP 2.2 Appendix E: a session key is the static key's 3DES-CBC encryption of
// the constant, the sequence counter and twelve zero bytes.
Bytes scp02_session_key(const Bytes& key, const Bytes& constant, const Bytes& sequence) {
  return tdes_cbc(key, cat({constant, sequence, Bytes(12, 0x00)}));
}

// ISO 9797-1 MAC algorithm 3 (single DES CBC with K1, the last block 3DES),
// padding method 2, over `data` from `icv`.
Bytes retail_mac(const Bytes& key, const Bytes& icv, const Bytes& data) {
  const Bytes k1(key.begin(), key.begin() + 8);
  const Bytes padded = pad80(data, 8);
  Bytes chain = icv;
  for (std::size_t at = 0; at < padded.size(); at += 8) {
    Bytes block(padded.begin() + static_cast<std::ptrdiff_t>(at),
                padded.begin() + static_cast<std::ptrdiff_t>(at + 8));
    for (std::size_t k = 0; k < 8; ++k) block[k] ^= chain[k];
    chain = at + 8 < padded.size() ? des(k1, block) : tdes_cbc(key, block);
  }
  return chain;
}

struct Scp02Model {
  Bytes s_enc, s_mac, icv = Bytes(8, 0x00);
  bool encrypt_icv;
  int commands = 0;

  Scp02Model(const Bytes& enc, const Bytes& mac, const Bytes& sequence, bool i55)
      : s_enc(scp02_session_key(enc, hex("0182"), sequence)),
        s_mac(scp02_session_key(mac, hex("0101"), sequence)),
        encrypt_icv(i55) {}

  // The C-MAC over the header (CLA with its secure bit, Lc + 8) and the plain
  // data; with C-DECRYPTION the data then goes out 3DES-CBC encrypted.
  Bytes protect(Bytes header, const Bytes& data, bool decryption) {
    header[0] |= 0x04;
    header.push_back(static_cast<std::uint8_t>(data.size() + 8));
    // The first C-MAC of a session starts from zeros; later ones from the
    // last C-MAC, encrypted with K1 of S-MAC when i=55.
    const Bytes start =
        encrypt_icv && commands > 0 ? des(Bytes(s_mac.begin(), s_mac.begin() + 8), icv) : icv;
    icv = retail_mac(s_mac, start, cat({header, data}));
    ++commands;
    const Bytes body = decryption ? tdes_cbc(s_enc, pad80(data, 8)) : data;
    header.back() = static_cast<std::uint8_t>(body.size() + 8);
    return cat({header, body, icv});
  }
};

class Scp02ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hsm_ = test::open_soft_hsm(dir_.path());
    ASSERT_NE(hsm_, nullptr);
    for (const auto& [name, value] :
         {std::pair{"enc", kEnc}, std::pair{"mac", kMac}, std::pair{"dek", kDek}})
      test::import_clear_key(*hsm_,
                             hsm::KeySpec{name, hsm::Algorithm::des3_2key, {hsm::Usage::derive}, 1},
                             hex(value));
  }

  static constexpr const char* kEnc = "100102030405060708090a0b0c0d0e0f";
  static constexpr const char* kMac = "101102030405060708090a0b0c0d0e0f";
  static constexpr const char* kDek = "102102030405060708090a0b0c0d0e0f";
  // A real card's INITIALIZE UPDATE (osmocom pySim trace, docs/test-vectors.md §7).
  const Bytes host_challenge_ = hex("40A62C37FA6304F8");
  const Bytes response_ = hex("00000000000000000000 70 02 0001 6B4524ABEE7C F32EA3838BC148F3");
  const Bytes sequence_ = hex("0001");
  const Bytes card_challenge_ = hex("6B4524ABEE7C");
  test::TempDir dir_;
  std::unique_ptr<hsm::Hsm> hsm_;
};

TEST_F(Scp02ModelTest, TheModelReproducesTheRealCardsExternalAuthenticate) {
  Scp02Model ref(hex(kEnc), hex(kMac), sequence_, true);
  const Bytes card_cryptogram =
      tdes_cbc(ref.s_enc, pad80(cat({host_challenge_, sequence_, card_challenge_}), 8));
  EXPECT_EQ(Bytes(card_cryptogram.end() - 8, card_cryptogram.end()), hex("F32EA3838BC148F3"));
  const Bytes host =
      tdes_cbc(ref.s_enc, pad80(cat({sequence_, card_challenge_, host_challenge_}), 8));
  EXPECT_EQ(ref.protect(hex("80820100"), Bytes(host.end() - 8, host.end()), false),
            hex("8482010010 BA6961667737C5BC EBECE14C7D6A4376"));
}

TEST_F(Scp02ModelTest, CommandsMatchTheModelWithAndWithoutIcvEncryption) {
  for (const std::uint8_t i : {std::uint8_t{0x15}, std::uint8_t{0x55}})
    for (const std::uint8_t level : {std::uint8_t{0x01}, std::uint8_t{0x03}}) {
      SCOPED_TRACE("i=" + std::to_string(i) + " level=" + std::to_string(level));
      auto session =
          Scp02Session::open(*hsm_, {"enc", "mac", "dek"}, host_challenge_, response_, level, i);
      ASSERT_TRUE(session.ok()) << session.error().describe();
      Scp02Model ref(hex(kEnc), hex(kMac), sequence_, i == 0x55);
      auto auth = session->external_authenticate();
      ASSERT_TRUE(auth.ok());
      const Bytes host =
          tdes_cbc(ref.s_enc, pad80(cat({sequence_, card_challenge_, host_challenge_}), 8));
      EXPECT_EQ(*auth->encode(),
                ref.protect({0x80, 0x82, level, 0x00}, Bytes(host.end() - 8, host.end()), false));
      // Three commands: the ICV chains from each C-MAC to the next.
      for (const Bytes& data : {hex("0101 03 AABBCC"), hex("0102 08 0001020304050607"),
                                hex("8201 10 00112233445566778899AABBCCDDEEFF")}) {
        const card::CommandApdu store{0x80, 0xE2, 0x00, 0x00, data, std::nullopt};
        auto wrapped = session->wrap(store);
        ASSERT_TRUE(wrapped.ok()) << wrapped.error().describe();
        EXPECT_EQ(*wrapped->encode(), ref.protect(hex("80E20000"), data, level == 0x03))
            << test::to_hex(data);
      }
    }
}

}  // namespace
}  // namespace cardd::personalization
