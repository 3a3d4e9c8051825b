// The promises of the Hsm interface, on every backend: usage enforced, errors
// as values, key ceremony checks, derivation and export only in wrapped form,
// operations counted, no key value in any message or log line.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "backend_fixture.h"

namespace cardd::hsm::test {
namespace {

using Rules = HsmBackendTest;
constexpr const char* kAesKey = "000102030405060708090a0b0c0d0e0f";

TEST_P(Rules, AMacKeyCannotEncrypt) {
  import_key("mac-only", Algorithm::aes128, {Usage::mac}, kAesKey);
  auto r = hsm_->encrypt("mac-only", CipherMode::ecb, {}, Bytes(16, 0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, HsmError::usage_not_permitted);
  EXPECT_NE(r.error().message.find("mac-only"), std::string::npos);
  EXPECT_TRUE(hsm_->mac("mac-only", MacMethod::cmac, Bytes(16, 0)).ok());
}

TEST_P(Rules, ErrorsAreValuesWithCodes) {
  EXPECT_EQ(hsm_->encrypt("nope", CipherMode::ecb, {}, Bytes(16, 0)).error().code,
            HsmError::key_not_found);
  import_key("k", Algorithm::aes128, {Usage::encrypt}, kAesKey);
  EXPECT_EQ(hsm_->encrypt("k", CipherMode::ecb, {}, Bytes(15, 0)).error().code,
            HsmError::invalid_argument);
  EXPECT_EQ(hsm_->encrypt("k", CipherMode::cbc, Bytes(8, 0), Bytes(16, 0)).error().code,
            HsmError::invalid_argument);
  EXPECT_EQ(hsm_->generate(KeySpec{"k", Algorithm::aes128, {Usage::encrypt}, 1}).error().code,
            HsmError::key_exists);
  EXPECT_EQ(
      hsm_->generate(KeySpec{"bad name!", Algorithm::aes128, {Usage::encrypt}, 1}).error().code,
      HsmError::invalid_argument);
  EXPECT_EQ(hsm_->mac("k", MacMethod::cmac, Bytes(16, 0)).error().code,
            HsmError::usage_not_permitted);
}

TEST_P(Rules, GeneratedKeysAreListedWithKcvAndNoValue) {
  auto a = hsm_->generate(KeySpec{"master/enc", Algorithm::aes128, {Usage::derive}, 3});
  ASSERT_TRUE(a.ok()) << a.error().describe();
  EXPECT_EQ(a->kcv.size(), 6u);
  auto list = hsm_->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().spec.name, "master/enc");
  EXPECT_EQ(list->front().spec.version, 3u);
  EXPECT_EQ(list->front().kcv, a->kcv);
  EXPECT_EQ(list->front().spec.usage, (UsageSet{Usage::derive}));
}

TEST_P(Rules, KeysSurviveReopening) {
  auto a =
      hsm_->generate(KeySpec{"persist", Algorithm::aes128, {Usage::encrypt, Usage::decrypt}, 1});
  ASSERT_TRUE(a.ok());
  auto before = hsm_->encrypt("persist", CipherMode::ecb, {}, Bytes(16, 7));
  hsm_ = reopen();
  ASSERT_TRUE(hsm_);
  auto info = hsm_->info("persist");
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->kcv, a->kcv);
  EXPECT_EQ(*hsm_->encrypt("persist", CipherMode::ecb, {}, Bytes(16, 7)), *before);
}

TEST_P(Rules, CeremonyCombinesComponentsAndShowsKcvs) {
  // Two components whose XOR is the FIPS-197 key.
  auto c1 = parse_key_hex(Algorithm::aes128, "11111111111111111111111111111111");
  auto c2 = parse_key_hex(Algorithm::aes128, "11101312151417161918 1b1a1d1c1f1e");
  ASSERT_TRUE(c1.ok() && c2.ok());
  std::vector<SecureBytes> parts;
  parts.push_back(std::move(*c1));
  parts.push_back(std::move(*c2));
  auto key = hsm_->import_components(KeySpec{"zmk", Algorithm::aes128, {Usage::encrypt}, 1}, parts);
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->kcv, *kcv_of(Algorithm::aes128, *parse_key_hex(Algorithm::aes128, kAesKey)));
  auto ct = hsm_->encrypt("zmk", CipherMode::ecb, {}, hex("00112233445566778899aabbccddeeff"));
  EXPECT_EQ(to_hex(*ct), "69c4e0d86a7b0430d8cdb78070b4c55a");
}

TEST_P(Rules, CeremonyRefusesWeakOrRepeatedComponents) {
  auto comp = [](std::string_view h) { return *parse_key_hex(Algorithm::des3_2key, h); };
  std::vector<SecureBytes> repeated;
  repeated.push_back(comp("0123456789ABCDEFFEDCBA9876543210"));
  repeated.push_back(comp("0123456789ABCDEFFEDCBA9876543210"));
  EXPECT_EQ(hsm_->import_components(KeySpec{"k1", Algorithm::des3_2key, {Usage::mac}, 1}, repeated)
                .error()
                .code,
            HsmError::weak_key);
  std::vector<SecureBytes> weak;
  weak.push_back(comp("0101010101010101FEDCBA9876543210"));  // a DES weak key half
  weak.push_back(comp("0123456789ABCDEFFEDCBA9876543210"));
  EXPECT_EQ(hsm_->import_components(KeySpec{"k2", Algorithm::des3_2key, {Usage::mac}, 1}, weak)
                .error()
                .code,
            HsmError::weak_key);
  std::vector<SecureBytes> one;
  one.push_back(comp("0123456789ABCDEFFEDCBA9876543210"));
  EXPECT_EQ(hsm_->import_components(KeySpec{"k3", Algorithm::des3_2key, {Usage::mac}, 1}, one)
                .error()
                .code,
            HsmError::invalid_argument);
  EXPECT_FALSE(hsm_->info("k1").ok());
  EXPECT_FALSE(hsm_->info("k2").ok());
}

TEST_P(Rules, ExportableCardKeysLeaveOnlyWrapped) {
  // The application master: its card keys encrypt and may leave, wrapped.
  import_key(exporting_master("master", Algorithm::aes128, {Usage::encrypt}), kAesKey);
  import_key("dek", Algorithm::aes128, {Usage::wrap}, "2b7e151628aed2a6abf7158809cf4f3c");
  // What the card holds: the same DEK value, as a decryption key of its own.
  import_key("card-dek", Algorithm::aes128, {Usage::decrypt}, "2b7e151628aed2a6abf7158809cf4f3c");
  const Bytes data = hex("00112233445566778899aabbccddeeff");
  auto card_key = hsm_->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, data},
                               KeySpec{"card/1/ik", Algorithm::aes128, {Usage::encrypt}, 1, true});
  ASSERT_TRUE(card_key.ok()) << card_key.error().describe();
  EXPECT_TRUE(card_key->ephemeral);
  EXPECT_TRUE(card_key->spec.exportable);
  // ECB; a token without ECB wrapping does a one-block key by CBC, zero IV.
  auto wrapped = hsm_->wrap("dek", CipherMode::ecb, "card/1/ik");
  ASSERT_TRUE(wrapped.ok()) << wrapped.error().describe();
  auto clear = hsm_->decrypt("card-dek", CipherMode::ecb, {}, *wrapped);
  ASSERT_TRUE(clear.ok());
  EXPECT_EQ(to_hex(*clear), "69c4e0d86a7b0430d8cdb78070b4c55a");  // E(master, data): FIPS-197
  // The wrap key itself cannot decrypt what it wrapped.
  EXPECT_EQ(hsm_->decrypt("dek", CipherMode::ecb, {}, *wrapped).error().code,
            HsmError::usage_not_permitted);
  ASSERT_TRUE(hsm_->destroy("card/1/ik").ok());
  EXPECT_EQ(hsm_->info("card/1/ik").error().code, HsmError::key_not_found);
}

TEST_P(Rules, AKeyHasOnePurpose) {
  // The former way to read a card key: a wrap key that also decrypts.
  for (const UsageSet mixed :
       {UsageSet{Usage::wrap, Usage::decrypt}, UsageSet{Usage::wrap, Usage::encrypt},
        UsageSet{Usage::derive, Usage::encrypt}, UsageSet{Usage::mac, Usage::encrypt},
        UsageSet{Usage::unwrap, Usage::decrypt}}) {
    auto k = hsm_->generate(KeySpec{"mixed", Algorithm::aes128, mixed, 1});
    ASSERT_FALSE(k.ok()) << mixed.to_string();
    EXPECT_EQ(k.error().code, HsmError::usage_not_permitted) << mixed.to_string();
  }
  EXPECT_EQ(hsm_->info("mixed").error().code, HsmError::key_not_found);
  // Master, wrap and transport keys never leave.
  for (const Usage u : {Usage::derive, Usage::wrap, Usage::unwrap})
    EXPECT_EQ(hsm_->generate(KeySpec{"x", Algorithm::aes128, {u}, 1, true}).error().code,
              HsmError::usage_not_permitted);
  EXPECT_TRUE(
      hsm_->generate(KeySpec{"ok", Algorithm::aes128, {Usage::encrypt, Usage::decrypt}, 1}).ok());
}

TEST_P(Rules, CardKeysOfTheKmcNeverLeave) {
  import_key("kmc", Algorithm::aes128, {Usage::derive}, kAesKey);  // default derive template
  import_key("dek", Algorithm::aes256, {Usage::wrap},
             "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  const EncryptDataDerivation how{CipherMode::ecb, {}, Bytes(16, 0x42)};
  auto card_enc =
      hsm_->derive("kmc", how, KeySpec{"card/enc", Algorithm::aes128, {Usage::derive}, 1});
  ASSERT_TRUE(card_enc.ok()) << card_enc.error().describe();
  EXPECT_EQ(hsm_->wrap("dek", CipherMode::ecb, "card/enc").error().code,
            HsmError::usage_not_permitted);
  EXPECT_EQ(hsm_->wrap("dek", CipherMode::ecb, "kmc").error().code, HsmError::usage_not_permitted);
  // Nor can a derived key be made exportable, or unwrap.
  EXPECT_EQ(
      hsm_->derive("kmc", how, KeySpec{"card/x", Algorithm::aes128, {Usage::encrypt}, 1, true})
          .error()
          .code,
      HsmError::usage_not_permitted);
  EXPECT_EQ(hsm_->derive("kmc", how, KeySpec{"card/u", Algorithm::aes128, {Usage::unwrap}, 1})
                .error()
                .code,
            HsmError::usage_not_permitted);
}

TEST_P(Rules, DerivedKeysStayWithinTheTemplate) {
  import_key(exporting_master("app-master", Algorithm::aes128, {Usage::encrypt}), kAesKey);
  const EncryptDataDerivation how{CipherMode::ecb, {}, Bytes(16, 0x42)};
  auto mac = hsm_->derive("app-master", how, KeySpec{"k-mac", Algorithm::aes128, {Usage::mac}, 1});
  ASSERT_FALSE(mac.ok());
  EXPECT_EQ(mac.error().code, HsmError::usage_not_permitted);
  EXPECT_NE(mac.error().message.find("app-master"), std::string::npos);
  EXPECT_TRUE(hsm_->derive("app-master", how,
                           KeySpec{"k-enc", Algorithm::aes128, {Usage::encrypt}, 1, true})
                  .ok());
}

TEST_P(Rules, WrapNeedsAnExportableKeyAndAStrongEnoughWrapKey) {
  import_key(KeySpec{"app", Algorithm::aes128, {Usage::encrypt}, 1, true}, kAesKey);
  import_key(KeySpec{"app-wrap", Algorithm::aes128, {Usage::wrap}, 1}, kAesKey);
  import_key("weak-dek", Algorithm::des3_2key, {Usage::wrap}, "0123456789abcdeffedcba9876543210");
  auto weaker = hsm_->wrap("weak-dek", CipherMode::ecb, "app");
  ASSERT_FALSE(weaker.ok());
  EXPECT_EQ(weaker.error().code, HsmError::usage_not_permitted);
  EXPECT_NE(weaker.error().message.find("weaker"), std::string::npos);
  // A wrap key is never itself exportable, so it never wraps itself.
  EXPECT_EQ(hsm_->wrap("app-wrap", CipherMode::ecb, "app-wrap").error().code,
            HsmError::usage_not_permitted);
}

TEST_P(Rules, ImportWithoutKcvIsRefused) {
  import_key("zmk", Algorithm::aes128, {Usage::unwrap}, kAesKey);
  auto k = hsm_->import_wrapped(KeySpec{"in", Algorithm::aes128, {Usage::mac}, 1}, Bytes(16, 3),
                                "zmk", "");
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code, HsmError::invalid_argument);
  EXPECT_NE(k.error().message.find("KCV"), std::string::npos);
  EXPECT_EQ(hsm_->info("in").error().code, HsmError::key_not_found);
}

TEST_P(Rules, RepeatedOrWeakDesHalvesAreRefused) {
  std::vector<SecureBytes> parts;
  parts.push_back(SecureBytes(ByteView(hex("0123456789abcdeffedcba9876543210"))));
  parts.push_back(SecureBytes(ByteView(hex("1111111111111111eeeeeeeeeeeeeeee"))));
  // XOR: 1032547698badcfe twice: K1 == K2, single-DES strength.
  auto repeated =
      hsm_->import_components(KeySpec{"rep", Algorithm::des3_2key, {Usage::mac}, 1}, parts);
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.error().code, HsmError::weak_key);
  std::vector<SecureBytes> weak;
  weak.push_back(SecureBytes(ByteView(hex("0123456789abcdeffedcba9876543210"))));
  weak.push_back(SecureBytes(ByteView(hex("0022446688aacceedd99dd1164606468"))));
  // XOR: 0101010101010101 (a weak DES key) || 2345678912345678.
  auto w = hsm_->import_components(KeySpec{"weak", Algorithm::des3_2key, {Usage::mac}, 1}, weak);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, HsmError::weak_key);
}

TEST_P(Rules, PinBlockIsFormedAndWrappedInTheHsm) {
  import_key("dek", Algorithm::aes128, {Usage::wrap}, "2b7e151628aed2a6abf7158809cf4f3c");
  import_key("card-dek", Algorithm::aes128, {Usage::decrypt}, "2b7e151628aed2a6abf7158809cf4f3c");
  const std::string digits = "12345";
  const SecureBytes pin(
      std::span(reinterpret_cast<const std::uint8_t*>(digits.data()), digits.size()));
  auto block = hsm_->wrap_pin_block("dek", pin);
  ASSERT_TRUE(block.ok()) << block.error().describe();
  ASSERT_EQ(block->size(), 16u);
  EXPECT_EQ(to_hex(*hsm_->decrypt("card-dek", CipherMode::ecb, {}, *block)),
            "2512345fffffffffffffffffffffffff");  // ISO 9564 format 2
  const std::string letters = "12a4";
  const SecureBytes bad(
      std::span(reinterpret_cast<const std::uint8_t*>(letters.data()), letters.size()));
  EXPECT_EQ(hsm_->wrap_pin_block("dek", bad).error().code, HsmError::invalid_argument);
  EXPECT_EQ(hsm_->wrap_pin_block("card-dek", pin).error().code, HsmError::usage_not_permitted);
}

TEST_P(Rules, WrapNeedsWrapUsage) {
  import_key("plain", Algorithm::aes128, {Usage::encrypt}, kAesKey);
  auto k = hsm_->generate(KeySpec{"other", Algorithm::aes128, {Usage::mac}, 1});
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(hsm_->wrap("plain", CipherMode::cbc, "other").error().code,
            HsmError::usage_not_permitted);
}

TEST_P(Rules, OperationsAreCountedPerKeyAndUsage) {
  import_key("m", Algorithm::aes128, {Usage::encrypt, Usage::decrypt}, kAesKey);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(hsm_->decrypt("m", CipherMode::ecb, {}, Bytes(16, 1)).ok());
  ASSERT_TRUE(hsm_->encrypt("m", CipherMode::ecb, {}, Bytes(16, 1)).ok());
  std::uint64_t macs = 0, encs = 0;
  for (const auto& c : hsm_->usage_counts()) {
    if (c.key == "m" && c.usage == Usage::decrypt) macs = c.count;
    if (c.key == "m" && c.usage == Usage::encrypt) encs = c.count;
  }
  EXPECT_EQ(macs, 3u);
  EXPECT_EQ(encs, 1u);
}

TEST_P(Rules, SessionKeysAreCountedTogetherNotOneByOne) {
  import_key("kmc", Algorithm::aes128, {Usage::derive}, kAesKey);
  const auto before = hsm_->usage_counts().size();
  for (int session = 0; session < 3; ++session) {
    const std::string name = "scp03/" + std::to_string(session) + "/s-mac";
    const Bytes data(16, static_cast<std::uint8_t>(session));
    auto key = hsm_->derive("kmc", EncryptDataDerivation{CipherMode::ecb, {}, data},
                            KeySpec{name, Algorithm::aes128, {Usage::mac}, 1});
    ASSERT_TRUE(key.ok()) << key.error().describe();
    ASSERT_TRUE(hsm_->mac(name, MacMethod::cmac, Bytes(16, 2)).ok());
    ASSERT_TRUE(hsm_->mac(name, MacMethod::cmac, Bytes(16, 3)).ok());
    ASSERT_TRUE(hsm_->destroy(name).ok());
  }
  std::uint64_t session_macs = 0;
  for (const auto& c : hsm_->usage_counts()) {
    EXPECT_EQ(c.key.find("scp03/"), std::string::npos) << c.key;
    if (c.key == Hsm::kSessionKeysCount && c.usage == Usage::mac) session_macs = c.count;
  }
  EXPECT_EQ(session_macs, 6u);
  // kmc's derive count and the session keys' mac count: two entries, not six.
  EXPECT_EQ(hsm_->usage_counts().size(), before + 2);
}

TEST_P(Rules, ConcurrentWorkersGetConsistentResults) {
  import_key("m", Algorithm::aes128, {Usage::mac}, kAesKey);
  const auto expected = *hsm_->mac("m", MacMethod::cmac, Bytes(32, 9));
  std::atomic<int> mismatches{0};
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < 4; ++t)
      workers.emplace_back([&] {
        for (int i = 0; i < 100; ++i) {
          auto r = hsm_->mac("m", MacMethod::cmac, Bytes(32, 9));
          if (!r.ok() || *r != expected) ++mismatches;
        }
      });
  }
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_P(Rules, NoKeyValueAppearsInMessagesOrLogs) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  const std::string secret = "0123456789abcdeffedcba9876543210";
  import_key("secret", Algorithm::des3_2key, {Usage::mac}, secret);
  std::string messages;
  auto collect = [&](const auto& r) {
    if (!r.ok()) messages += r.error().describe() + "\n";
  };
  collect(hsm_->encrypt("secret", CipherMode::ecb, {}, Bytes(8, 0)));
  collect(hsm_->mac("secret", MacMethod::cmac, Bytes(7, 0)));
  collect(hsm_->wrap("secret", CipherMode::ecb, "secret"));
  collect(hsm_->derive("secret", EncryptDataDerivation{},
                       KeySpec{"x", Algorithm::aes128, {Usage::mac}, 1}));
  std::vector<SecureBytes> repeated;
  repeated.push_back(*parse_key_hex(Algorithm::des3_2key, secret));
  repeated.push_back(*parse_key_hex(Algorithm::des3_2key, secret));
  collect(
      hsm_->import_components(KeySpec{"again", Algorithm::des3_2key, {Usage::mac}, 1}, repeated));
  spdlog::set_default_logger(previous);

  ASSERT_FALSE(messages.empty());
  const std::string all = messages + captured.str();
  for (const std::string& needle :
       {secret, std::string("0123456789ABCDEF"), std::string("0123456789abcdef"),
        std::string("fedcba9876543210"), std::string("FEDCBA9876543210")})
    EXPECT_EQ(all.find(needle), std::string::npos) << needle << " leaked into: " << all;
}

INSTANTIATE_TEST_SUITE_P(Backends, Rules, ::testing::Values("soft", "pkcs11"), backend_name);

}  // namespace
}  // namespace cardd::hsm::test

namespace cardd::hsm::test {
namespace {

TEST_P(Rules, StartUpNamesWhatTheConfigurationNeedsButTheBackendCannotDo) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
  hsm_.reset();
  HsmConfig c = config();
  c.required = {
      {Algorithm::aes128, "cmac"}, {Algorithm::sm4, "ecb"}, {Algorithm::des3_3key, "retail_mac"}};
  auto opened = open_hsm(c);
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(opened.ok());
  const std::string missing = describe_unsupported(**opened, c.required);
  EXPECT_EQ(missing.find("aes128 cmac"), std::string::npos);
  if (GetParam() == "pkcs11") {
    EXPECT_NE(missing.find("sm4 ecb"), std::string::npos) << missing;
    EXPECT_NE(missing.find("3des-3key retail_mac"), std::string::npos) << missing;
    EXPECT_NE(captured.str().find("cannot do what the configuration needs: " + missing),
              std::string::npos)
        << captured.str();
  } else {
    EXPECT_TRUE(missing.empty()) << missing;
    EXPECT_EQ(captured.str().find("cannot do"), std::string::npos);
  }
}

}  // namespace
}  // namespace cardd::hsm::test
