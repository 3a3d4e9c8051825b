// What only the pkcs11 backend has: a module to load, a token to find, a PIN,
// keys that outlive the process, several Hsm objects on one token, a session
// pool shared by threads, and a token (SoftHSM2 2.6) that cannot do
// everything. The known-answer tests shared with the soft backend are in
// hsm_kat_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "backend_fixture.h"
#include "cardd/hsm/factory.h"
#include "cardd/hsm/hsm.h"
#include "softhsm_token.h"

namespace cardd::hsm {
namespace {

using test::hex;
using test::to_hex;

SecureBytes secure(std::string_view h) {
  const Bytes b = hex(h);
  return SecureBytes(ByteView(b));
}

class Pkcs11Backend : public ::testing::Test {
 protected:
  void SetUp() override {
    token_.emplace();
    hsm_ = open();
    ASSERT_TRUE(hsm_);
  }
  void TearDown() override {
    hsm_.reset();
    token_.reset();
  }

  HsmConfig config() const { return token_->hsm_config(); }

  std::unique_ptr<Hsm> open() const {
    auto opened = open_hsm(config());
    EXPECT_TRUE(opened.ok()) << opened.error().describe();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  // A ceremony of two components whose XOR is `key_hex`.
  KeyInfo import(Hsm& hsm, const std::string& name, Algorithm algorithm, UsageSet usage,
                 std::string_view key_hex) {
    return import(hsm, KeySpec{name, algorithm, usage, 1}, key_hex);
  }
  KeyInfo import(Hsm& hsm, const KeySpec& spec, std::string_view key_hex) {
    SecureBytes key = secure(key_hex);
    std::vector<SecureBytes> parts;
    parts.emplace_back(key.size());
    parts.emplace_back(key.size());
    for (std::size_t i = 0; i < key.size(); ++i) {
      parts[0][i] = static_cast<std::uint8_t>(0xA5 ^ (i * 29 + 3));
      parts[1][i] = static_cast<std::uint8_t>(key[i] ^ parts[0][i]);
    }
    auto info = hsm.import_components(spec, parts);
    EXPECT_TRUE(info.ok()) << spec.name << ": " << info.error().describe();
    return info.ok() ? *info : KeyInfo{};
  }

  bool supports(Algorithm algorithm, const std::string& operation) const {
    const Requirement need{algorithm, operation};
    return hsm_->unsupported(std::span(&need, 1)).empty();
  }

  std::optional<cardd::test::SoftHsmToken> token_;
  std::unique_ptr<Hsm> hsm_;
};

TEST_F(Pkcs11Backend, ReportsItsName) { EXPECT_EQ(hsm_->backend(), "pkcs11"); }

TEST_F(Pkcs11Backend, WrongPinIsLoginFailed) {
  hsm_.reset();  // no other login on the token
  HsmConfig c = config();
  c.pkcs11.pin_file = (token_->dir() / "wrong-pin").string();
  cardd::test::SoftHsmToken::write_pin_file(c.pkcs11.pin_file, "9999");
  auto opened = open_hsm(c);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, HsmError::login_failed) << opened.error().describe();
  EXPECT_NE(opened.error().message.find("CKR_PIN_INCORRECT"), std::string::npos)
      << opened.error().message;
  EXPECT_EQ(opened.error().message.find("9999"), std::string::npos);
  // The right PIN still works afterwards.
  EXPECT_TRUE(open());
}

TEST_F(Pkcs11Backend, WrongPinIsRefusedWhileAnotherHsmIsLoggedIn) {
  HsmConfig c = config();
  c.pkcs11.pin_file = (token_->dir() / "wrong-pin").string();
  cardd::test::SoftHsmToken::write_pin_file(c.pkcs11.pin_file, "9999");
  auto opened = open_hsm(c);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, HsmError::login_failed) << opened.error().describe();
}

TEST_F(Pkcs11Backend, MissingModuleIsTokenUnavailable) {
  HsmConfig c = config();
  c.pkcs11.module_path = "/nonexistent/libnothing.so";
  auto opened = open_hsm(c);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, HsmError::token_unavailable);
  EXPECT_NE(opened.error().message.find("/nonexistent/libnothing.so"), std::string::npos);
}

TEST_F(Pkcs11Backend, LibraryThatIsNotAModuleIsTokenUnavailable) {
  HsmConfig c = config();
  c.pkcs11.module_path = (token_->dir() / "softhsm2.conf").string();  // not a shared object
  auto opened = open_hsm(c);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, HsmError::token_unavailable) << opened.error().describe();
}

TEST_F(Pkcs11Backend, UnknownTokenLabelIsTokenUnavailable) {
  HsmConfig c = config();
  c.pkcs11.token_label = "no-such-token";
  auto opened = open_hsm(c);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, HsmError::token_unavailable);
  EXPECT_NE(opened.error().message.find("no-such-token"), std::string::npos);
  EXPECT_NE(opened.error().message.find("'cardd'"), std::string::npos) << opened.error().message;
}

TEST_F(Pkcs11Backend, KeysPersistAcrossCloseAndReopen) {
  auto master = hsm_->generate(KeySpec{"master/enc", Algorithm::aes128, {Usage::derive}, 3});
  ASSERT_TRUE(master.ok()) << master.error().describe();
  auto mac = hsm_->generate(KeySpec{"mac", Algorithm::aes128, {Usage::mac}, 1});
  ASSERT_TRUE(mac.ok()) << mac.error().describe();
  auto des = hsm_->generate(KeySpec{"des", Algorithm::des3_2key, {Usage::encrypt}, 2});
  ASSERT_TRUE(des.ok()) << des.error().describe();
  const Bytes before = *hsm_->mac("mac", MacMethod::cmac, Bytes(20, 7));
  hsm_.reset();  // the module is finalised here (last Hsm)
  hsm_ = open();
  ASSERT_TRUE(hsm_);
  for (const KeyInfo* k : {&*master, &*mac, &*des}) {
    auto info = hsm_->info(k->spec.name);
    ASSERT_TRUE(info.ok()) << info.error().describe();
    EXPECT_EQ(info->kcv, k->kcv);
    EXPECT_EQ(info->kcv.size(), 6u);
    EXPECT_EQ(info->spec.version, k->spec.version);
    EXPECT_EQ(info->spec.algorithm, k->spec.algorithm);
    EXPECT_EQ(info->spec.usage, k->spec.usage)
        << k->spec.name;  // KCV computation left no extra usage
    EXPECT_FALSE(info->ephemeral);
  }
  EXPECT_EQ(*hsm_->mac("mac", MacMethod::cmac, Bytes(20, 7)), before);
  EXPECT_EQ(hsm_->encrypt("mac", CipherMode::ecb, {}, Bytes(16, 0)).error().code,
            HsmError::usage_not_permitted);
  auto list = hsm_->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].spec.name, "des");
  EXPECT_EQ((*list)[1].spec.name, "mac");
  EXPECT_EQ((*list)[2].spec.name, "master/enc");
}

TEST_F(Pkcs11Backend, TwoHsmsOnOneTokenAtOnce) {
  auto second = open();
  ASSERT_TRUE(second);
  import(*hsm_, "shared", Algorithm::aes128, {Usage::encrypt}, "000102030405060708090a0b0c0d0e0f");
  auto seen = second->info("shared");
  ASSERT_TRUE(seen.ok()) << seen.error().describe();
  const Bytes pt = hex("00112233445566778899aabbccddeeff");
  EXPECT_EQ(to_hex(*second->encrypt("shared", CipherMode::ecb, {}, pt)),
            "69c4e0d86a7b0430d8cdb78070b4c55a");
  // Closing one leaves the other logged in and working.
  hsm_.reset();
  EXPECT_EQ(to_hex(*second->encrypt("shared", CipherMode::ecb, {}, pt)),
            "69c4e0d86a7b0430d8cdb78070b4c55a");
  hsm_ = open();
  ASSERT_TRUE(hsm_);
  second.reset();
  EXPECT_EQ(to_hex(*hsm_->encrypt("shared", CipherMode::ecb, {}, pt)),
            "69c4e0d86a7b0430d8cdb78070b4c55a");
}

TEST_F(Pkcs11Backend, EphemeralKeysBelongToOneHsmAndEndWithIt) {
  import(*hsm_, "master", Algorithm::aes128, {Usage::derive}, "000102030405060708090a0b0c0d0e0f");
  auto second = open();
  ASSERT_TRUE(second);
  auto card = hsm_->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, Bytes(16, 0x42)},
                           KeySpec{"card/1/mac", Algorithm::aes128, {Usage::mac}, 1});
  ASSERT_TRUE(card.ok()) << card.error().describe();
  EXPECT_TRUE(card->ephemeral);
  // A session key that cannot encrypt gets no KCV: computing one would need
  // a draft copy per card key, and nobody compares session keys.
  EXPECT_TRUE(card->kcv.empty());
  EXPECT_TRUE(hsm_->info("card/1/mac").ok());
  EXPECT_EQ(second->info("card/1/mac").error().code, HsmError::key_not_found);
  EXPECT_EQ(hsm_->list()->size(), 2u);
  EXPECT_EQ(second->list()->size(), 1u);
  // The same name may be derived again by the other Hsm.
  EXPECT_TRUE(second
                  ->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, Bytes(16, 0x42)},
                           KeySpec{"card/1/mac", Algorithm::aes128, {Usage::mac}, 1})
                  .ok());
  EXPECT_EQ(*second->mac("card/1/mac", MacMethod::cmac, Bytes(16, 1)),
            *hsm_->mac("card/1/mac", MacMethod::cmac, Bytes(16, 1)));
  hsm_.reset();
  second.reset();
  hsm_ = open();
  EXPECT_EQ(hsm_->info("card/1/mac").error().code, HsmError::key_not_found);
  EXPECT_TRUE(hsm_->info("master").ok());
}

TEST_F(Pkcs11Backend, PersistentDerivedKeysAreTokenObjects) {
  import(*hsm_, "master", Algorithm::aes128, {Usage::derive}, "000102030405060708090a0b0c0d0e0f");
  auto kept = hsm_->derive("master", EncryptDataDerivation{CipherMode::cbc, {}, Bytes(32, 0x11)},
                           KeySpec{"kept", Algorithm::aes256, {Usage::encrypt}, 4}, true);
  ASSERT_TRUE(kept.ok()) << kept.error().describe();
  EXPECT_FALSE(kept->ephemeral);
  hsm_.reset();
  hsm_ = open();
  auto info = hsm_->info("kept");
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->kcv, kept->kcv);
  EXPECT_EQ(info->spec.version, 4u);
  EXPECT_EQ(info->spec.algorithm, Algorithm::aes256);
}

TEST_F(Pkcs11Backend, UnsupportedNamesWhatSoftHsmCannotDo) {
  const std::vector<Requirement> cannot = {
      {Algorithm::sm4, "ecb"},
      {Algorithm::sm4, "cmac"},
      {Algorithm::des3_3key, "retail_mac"},
      {Algorithm::aes128, "derive_sp800_108"},
      {Algorithm::aes128, "wrap_ecb"},
      {Algorithm::des3_2key, "wrap_ecb"},
      // SoftHSM 2.6.1 flags CKM_DES3_CBC for wrapping, but C_WrapKey refuses it.
      {Algorithm::des3_2key, "wrap_cbc"},
      {Algorithm::aes128, "unwrap_ecb"},
      {Algorithm::aes128, "no_such_operation"},
  };
  EXPECT_EQ(hsm_->unsupported(cannot), cannot);
  const std::vector<Requirement> can = {
      {Algorithm::aes128, "generate"},      {Algorithm::aes128, "ecb"},
      {Algorithm::aes128, "cbc"},           {Algorithm::aes128, "cmac"},
      {Algorithm::aes128, "wrap_cbc"},      {Algorithm::aes128, "derive_encrypt_data"},
      {Algorithm::aes256, "cmac"},          {Algorithm::des3_2key, "generate"},
      {Algorithm::des3_2key, "ecb"},        {Algorithm::des3_2key, "cbc"},
      {Algorithm::des3_2key, "cmac"},       {Algorithm::des3_2key, "derive_encrypt_data"},
      {Algorithm::des3_3key, "cbc"},        {Algorithm::des3_2key, "retail_mac"},
      {Algorithm::des3_2key, "des_k1_mac"},
  };
  EXPECT_EQ(hsm_->unsupported(can), std::vector<Requirement>{});
}

TEST_F(Pkcs11Backend, UnsupportedOperationsFailWithMechanismUnsupported) {
  import(*hsm_, "des-mac", Algorithm::des3_2key, {Usage::mac}, "0123456789abcdeffedcba9876543210");
  import(*hsm_, "des-wrap", Algorithm::des3_2key, {Usage::wrap},
         "0123456789abcdeffedcba9876543210");
  import(*hsm_, "aes-wrap", Algorithm::aes128, {Usage::wrap}, "000102030405060708090a0b0c0d0e0f");
  import(*hsm_, "aes-derive", Algorithm::aes128, {Usage::derive},
         "000102030405060708090a0b0c0d0e0f");
  import(*hsm_, "aes-unwrap", Algorithm::aes128, {Usage::unwrap},
         "000102030405060708090a0b0c0d0e0f");
  // Card keys: derived for one card, exportable (stored exportable keys need
  // a trusted wrap key first; see TrustedWrapping).
  import(*hsm_, test::exporting_master("aes-master", Algorithm::aes256, {Usage::encrypt}),
         "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  import(*hsm_, test::exporting_master("des-master", Algorithm::des3_2key, {Usage::encrypt}),
         "404142434445464748494A4B4C4D4E4F");
  for (const auto& [master, name, algorithm] :
       {std::tuple{"aes-master", "card", Algorithm::aes256},
        std::tuple{"des-master", "card-des", Algorithm::des3_2key}})
    ASSERT_TRUE(hsm_->derive(master, EncryptDataDerivation{CipherMode::ecb, {}, Bytes(32, 7)},
                             KeySpec{name, algorithm, {Usage::encrypt}, 1, true})
                    .ok())
        << name;
  import(*hsm_, "aes256-wrap", Algorithm::aes256, {Usage::wrap},
         "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  const auto expect_unsupported = [](const auto& r, const char* what) {
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, HsmError::mechanism_unsupported)
        << what << ": " << r.error().describe();
  };
  // Composed for derived session keys only: a stored key's halves are out of reach.
  expect_unsupported(hsm_->mac("des-mac", MacMethod::retail_mac, Bytes(16, 0)), "retail MAC");
  // Two blocks: ECB is not CBC, and the token has no ECB wrapping.
  expect_unsupported(hsm_->wrap("aes256-wrap", CipherMode::ecb, "card"), "AES ECB wrap");
  expect_unsupported(hsm_->wrap("des-wrap", CipherMode::cbc, "card-des"), "3DES CBC wrap");
  expect_unsupported(hsm_->derive("aes-derive", Sp800108CmacDerivation{4, Bytes(16, 1)},
                                  KeySpec{"s-enc", Algorithm::aes128, {Usage::mac}, 1}),
                     "SP 800-108");
  expect_unsupported(hsm_->import_wrapped(KeySpec{"in", Algorithm::aes128, {Usage::mac}, 1},
                                          Bytes(16, 3), "aes-unwrap", "A1B2C3"),
                     "ECB unwrap");
  std::vector<SecureBytes> sm4;
  sm4.push_back(secure("0123456789abcdeffedcba9876543210"));
  sm4.push_back(secure("00112233445566778899aabbccddeeff"));
  expect_unsupported(hsm_->import_components(KeySpec{"sm4", Algorithm::sm4, {Usage::mac}, 1}, sm4),
                     "SM4");
  expect_unsupported(hsm_->generate(KeySpec{"sm4", Algorithm::sm4, {Usage::mac}, 1}),
                     "SM4 generate");
}

TEST_F(Pkcs11Backend, Aes128EcbFips197ThroughAKeyCeremony) {
  std::vector<SecureBytes> parts;
  parts.push_back(secure("11111111111111111111111111111111"));
  parts.push_back(secure("111013121514171619181b1a1d1c1f1e"));  // XOR: 000102...0f
  auto key = hsm_->import_components(
      KeySpec{"fips", Algorithm::aes128, {Usage::encrypt, Usage::decrypt}, 1}, parts);
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->kcv, *kcv_of(Algorithm::aes128, secure("000102030405060708090a0b0c0d0e0f")));
  auto ct = hsm_->encrypt("fips", CipherMode::ecb, {}, hex("00112233445566778899aabbccddeeff"));
  ASSERT_TRUE(ct.ok()) << ct.error().describe();
  EXPECT_EQ(to_hex(*ct), "69c4e0d86a7b0430d8cdb78070b4c55a");
  auto pt = hsm_->decrypt("fips", CipherMode::ecb, {}, *ct);
  ASSERT_TRUE(pt.ok()) << pt.error().describe();
  EXPECT_EQ(to_hex(*pt), "00112233445566778899aabbccddeeff");
}

TEST_F(Pkcs11Backend, Aes192WorksOnSoftHsm) {  // FIPS-197 appendix C.2
  // SoftHSM's AES mechanisms give the key size range 16..32 bytes, and
  // OpenSSL underneath does AES-192: it is supported, not refused.
  const std::vector<Requirement> aes192 = {
      {Algorithm::aes192, "generate"}, {Algorithm::aes192, "ecb"},
      {Algorithm::aes192, "cbc"},      {Algorithm::aes192, "cmac"},
      {Algorithm::aes192, "wrap_cbc"}, {Algorithm::aes192, "derive_encrypt_data"}};
  EXPECT_EQ(hsm_->unsupported(aes192), std::vector<Requirement>{});
  import(*hsm_, "k192", Algorithm::aes192, {Usage::encrypt},
         "000102030405060708090a0b0c0d0e0f1011121314151617");
  auto ct = hsm_->encrypt("k192", CipherMode::ecb, {}, hex("00112233445566778899aabbccddeeff"));
  ASSERT_TRUE(ct.ok()) << ct.error().describe();
  EXPECT_EQ(to_hex(*ct), "dda97ca4864cdfe06eaf70a0ec0d7191");
}

TEST_F(Pkcs11Backend, CmacOfTheEmptyMessage) {  // RFC 4493 example 1
  import(*hsm_, "cmac", Algorithm::aes128, {Usage::mac}, "2b7e151628aed2a6abf7158809cf4f3c");
  auto r = hsm_->mac("cmac", MacMethod::cmac, {});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(to_hex(*r), "bb1d6929e95937287fa37d129b756746");
}

TEST_F(Pkcs11Backend, KcvsOfDesAndAesKeysFollowGlobalPlatform) {
  const std::string des_hex = "0123456789abcdeffedcba9876543210";
  auto des = import(*hsm_, "des", Algorithm::des3_2key, {Usage::mac}, des_hex);
  EXPECT_EQ(des.kcv, *kcv_of(Algorithm::des3_2key, secure(des_hex)));
  // Generated keys get their KCV inside the token: E(key, 8x00) for DES,
  // E(key, 16x01) for AES, first 3 bytes.
  for (const auto& [name, algorithm] :
       {std::pair{"g-des", Algorithm::des3_3key}, {"g-aes", Algorithm::aes256}}) {
    auto gen = hsm_->generate(KeySpec{name, algorithm, {Usage::encrypt}, 1});
    ASSERT_TRUE(gen.ok()) << gen.error().describe();
    const Bytes probe(block_size(algorithm), is_des(algorithm) ? 0x00 : 0x01);
    auto e = hsm_->encrypt(name, CipherMode::ecb, {}, probe);
    ASSERT_TRUE(e.ok());
    std::string expected = to_hex(ByteView(*e).first(3));
    for (char& c : expected) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(gen->kcv, expected) << name;
  }
  // Without encrypt usage the KCV is computed all the same, and the usage
  // stays as asked.
  auto gen = hsm_->generate(KeySpec{"gen", Algorithm::aes128, {Usage::mac}, 1});
  ASSERT_TRUE(gen.ok()) << gen.error().describe();
  EXPECT_EQ(gen->kcv.size(), 6u);
  EXPECT_EQ(hsm_->info("gen")->spec.usage, (UsageSet{Usage::mac}));
  EXPECT_EQ(hsm_->encrypt("gen", CipherMode::ecb, {}, Bytes(16, 1)).error().code,
            HsmError::usage_not_permitted);
}

TEST_F(Pkcs11Backend, DerivedKeyWrappedUnderADekDecryptsToTheEncryptedData) {
  // The same values under separate purposes: the master and a cipher key to
  // compute E(base, data); the DEK and the card's copy of it to open the wrap.
  const char* master_hex = "000102030405060708090a0b0c0d0e0f";
  const char* dek_hex = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
  import(*hsm_, test::exporting_master("master", Algorithm::aes128, {Usage::mac}), master_hex);
  import(*hsm_, "master-cipher", Algorithm::aes128, {Usage::encrypt}, master_hex);
  import(*hsm_, "dek", Algorithm::aes256, {Usage::wrap}, dek_hex);
  import(*hsm_, "card-dek", Algorithm::aes256, {Usage::decrypt}, dek_hex);
  const Bytes data = hex("00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef");
  const Bytes expected = *hsm_->encrypt("master-cipher", CipherMode::ecb, {}, data);
  // The first key_length bytes of E(base, data) become the key.
  for (const auto& [name, algorithm] :
       {std::pair{"card/aes", Algorithm::aes128}, {"card/aes256", Algorithm::aes256}}) {
    auto card = hsm_->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, data},
                             KeySpec{name, algorithm, {Usage::mac}, 1, true});
    ASSERT_TRUE(card.ok()) << card.error().describe();
    auto wrapped = hsm_->wrap("dek", CipherMode::cbc, name);
    ASSERT_TRUE(wrapped.ok()) << wrapped.error().describe();
    auto clear = hsm_->decrypt("card-dek", CipherMode::cbc, {}, *wrapped);
    ASSERT_TRUE(clear.ok()) << clear.error().describe();
    EXPECT_EQ(to_hex(*clear), to_hex(ByteView(expected).first(key_length(algorithm)))) << name;
  }
}

TEST_F(Pkcs11Backend, DerivedDesKeysGetOddParity) {
  // SoftHSM sets DES parity on derived DES keys: the wrapped value is
  // E(base, data) with each byte's low bit adjusted (same DES key).
  const char* master_hex = "0123456789abcdeffedcba9876543210";
  import(*hsm_, test::exporting_master("master", Algorithm::des3_2key, {Usage::mac}), master_hex);
  import(*hsm_, "master-cipher", Algorithm::des3_2key, {Usage::encrypt}, master_hex);
  import(*hsm_, "dek", Algorithm::aes128, {Usage::wrap}, "2b7e151628aed2a6abf7158809cf4f3c");
  import(*hsm_, "card-dek", Algorithm::aes128, {Usage::decrypt},
         "2b7e151628aed2a6abf7158809cf4f3c");
  const Bytes data = hex("00000000000012341111111111111234");
  auto card = hsm_->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, data},
                           KeySpec{"card/des", Algorithm::des3_2key, {Usage::mac}, 1, true});
  ASSERT_TRUE(card.ok()) << card.error().describe();
  Bytes expected = *hsm_->encrypt("master-cipher", CipherMode::ecb, {}, data);
  SecureBytes parity(ByteView{expected});
  fix_parity(Algorithm::des3_2key, parity);
  auto clear = hsm_->decrypt("card-dek", CipherMode::cbc, {},
                             *hsm_->wrap("dek", CipherMode::cbc, "card/des"));
  ASSERT_TRUE(clear.ok()) << clear.error().describe();
  EXPECT_EQ(to_hex(*clear), to_hex(parity.span()));
}

TEST_F(Pkcs11Backend, MasterKeysNeverLeaveTheToken) {
  import(*hsm_, "dek", Algorithm::aes128, {Usage::wrap}, "2b7e151628aed2a6abf7158809cf4f3c");
  import(*hsm_, "master", Algorithm::aes128, {Usage::derive}, "000102030405060708090a0b0c0d0e0f");
  auto r = hsm_->wrap("dek", CipherMode::cbc, "master");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::usage_not_permitted) << r.error().describe();
  EXPECT_NE(r.error().message.find("not exportable"), std::string::npos);
}

TEST_F(Pkcs11Backend, ConcurrentWorkersMatchSingleThreadedResults) {
  import(*hsm_, "m", Algorithm::aes128, {Usage::mac}, "2b7e151628aed2a6abf7158809cf4f3c");
  std::vector<Bytes> expected;
  for (int i = 0; i < 200; ++i)
    expected.push_back(*hsm_->mac("m", MacMethod::cmac, Bytes(static_cast<std::size_t>(i), 9)));
  std::atomic<int> mismatches{0};
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < 4; ++t)
      workers.emplace_back([&] {
        for (int i = 0; i < 200; ++i) {
          auto r = hsm_->mac("m", MacMethod::cmac, Bytes(static_cast<std::size_t>(i), 9));
          if (!r.ok() || *r != expected[static_cast<std::size_t>(i)]) ++mismatches;
        }
      });
  }
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(Pkcs11Backend, RandomComesFromTheToken) {
  auto a = hsm_->random(32);
  auto b = hsm_->random(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
}

TEST_F(Pkcs11Backend, DestroyRemovesTokenKeys) {
  ASSERT_TRUE(hsm_->generate(KeySpec{"gone", Algorithm::aes256, {Usage::encrypt}, 1}).ok());
  ASSERT_TRUE(hsm_->destroy("gone").ok());
  EXPECT_EQ(hsm_->info("gone").error().code, HsmError::key_not_found);
  hsm_.reset();
  hsm_ = open();
  EXPECT_EQ(hsm_->info("gone").error().code, HsmError::key_not_found);
  EXPECT_TRUE(hsm_->list()->empty());
}

// The token gone (SoftHSM2's token folder moved away: the module no longer
// finds it, as with a network HSM out of reach or a USB token pulled) and
// back. Meanwhile every call fails with token_unavailable (a key is not
// "not found"); then the same Hsm objects, two on the module, go on with the
// same keys without being opened again (each looks for the token at most
// once a second, and reads the PIN anew).
TEST_F(Pkcs11Backend, ATokenGoneAndBackIsUsedAgainByTheSameHsms) {
  import(*hsm_, "k", Algorithm::aes128, {Usage::encrypt}, "2b7e151628aed2a6abf7158809cf4f3c");
  const Bytes block = hex("6bc1bee22e409f96e93d7e117393172a");
  const auto before = hsm_->encrypt("k", CipherMode::ecb, {}, block);
  ASSERT_TRUE(before.ok()) << before.error().describe();
  EXPECT_EQ(to_hex(*before), "3ad77bb40d7a3660a89ecaf32466ef97");  // SP 800-38A F.1.1
  auto other = open();
  ASSERT_TRUE(other);

  const std::filesystem::path tokens = token_->dir() / "tokens", away = token_->dir() / "away";
  std::filesystem::rename(tokens, away);
  for (Hsm* h : {hsm_.get(), other.get()}) {
    const auto encrypted = h->encrypt("k", CipherMode::ecb, {}, block);
    ASSERT_FALSE(encrypted.ok());
    EXPECT_EQ(encrypted.error().code, HsmError::token_unavailable) << encrypted.error().describe();
    const auto info = h->info("k");
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().code, HsmError::token_unavailable) << info.error().describe();
  }

  std::filesystem::rename(away, tokens);
  for (Hsm* h : {hsm_.get(), other.get()}) {
    auto after = h->encrypt("k", CipherMode::ecb, {}, block);
    for (int attempt = 0; !after.ok() && attempt < 50; ++attempt) {
      EXPECT_EQ(after.error().code, HsmError::token_unavailable) << after.error().describe();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      after = h->encrypt("k", CipherMode::ecb, {}, block);
    }
    ASSERT_TRUE(after.ok()) << after.error().describe();
    EXPECT_EQ(*after, *before);
    EXPECT_EQ(h->list()->size(), 1u);
  }
}

}  // namespace
}  // namespace cardd::hsm
