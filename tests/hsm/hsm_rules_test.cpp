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

TEST_P(Rules, DerivedKeysLeaveOnlyWrapped) {
  import_key("master", Algorithm::aes128, {Usage::derive}, kAesKey);
  import_key("dek", Algorithm::aes128, {Usage::wrap, Usage::decrypt},
             "2b7e151628aed2a6abf7158809cf4f3c");
  const Bytes data = hex("00112233445566778899aabbccddeeff");
  auto card_key =
      hsm_->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, data},
                   KeySpec{"card/1/ik", Algorithm::aes128, {Usage::mac, Usage::encrypt}, 1});
  ASSERT_TRUE(card_key.ok()) << card_key.error().describe();
  EXPECT_TRUE(card_key->ephemeral);
  const std::string mode = supports(Algorithm::aes128, "wrap_ecb") ? "wrap_ecb" : "wrap_cbc";
  auto wrapped =
      hsm_->wrap("dek", mode == "wrap_ecb" ? CipherMode::ecb : CipherMode::cbc, "card/1/ik");
  ASSERT_TRUE(wrapped.ok()) << wrapped.error().describe();
  // The card, holding the DEK, recovers E(master, data): the FIPS-197 block.
  auto clear =
      hsm_->decrypt("dek", mode == "wrap_ecb" ? CipherMode::ecb : CipherMode::cbc, {}, *wrapped);
  ASSERT_TRUE(clear.ok());
  EXPECT_EQ(to_hex(*clear), "69c4e0d86a7b0430d8cdb78070b4c55a");
  ASSERT_TRUE(hsm_->destroy("card/1/ik").ok());
  EXPECT_EQ(hsm_->info("card/1/ik").error().code, HsmError::key_not_found);
}

TEST_P(Rules, WrapNeedsWrapUsage) {
  import_key("plain", Algorithm::aes128, {Usage::encrypt}, kAesKey);
  auto k = hsm_->generate(KeySpec{"other", Algorithm::aes128, {Usage::mac}, 1});
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(hsm_->wrap("plain", CipherMode::cbc, "other").error().code,
            HsmError::usage_not_permitted);
}

TEST_P(Rules, OperationsAreCountedPerKeyAndUsage) {
  import_key("m", Algorithm::aes128, {Usage::mac, Usage::encrypt}, kAesKey);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(hsm_->mac("m", MacMethod::cmac, Bytes(16, 1)).ok());
  ASSERT_TRUE(hsm_->encrypt("m", CipherMode::ecb, {}, Bytes(16, 1)).ok());
  std::uint64_t macs = 0, encs = 0;
  for (const auto& c : hsm_->usage_counts()) {
    if (c.key == "m" && c.usage == Usage::mac) macs = c.count;
    if (c.key == "m" && c.usage == Usage::encrypt) encs = c.count;
  }
  EXPECT_EQ(macs, 3u);
  EXPECT_EQ(encs, 1u);
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
      {Algorithm::aes128, "cmac"}, {Algorithm::sm4, "ecb"}, {Algorithm::des3_2key, "retail_mac"}};
  auto opened = open_hsm(c);
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(opened.ok());
  const std::string missing = describe_unsupported(**opened, c.required);
  EXPECT_EQ(missing.find("aes128 cmac"), std::string::npos);
  if (GetParam() == "pkcs11") {
    EXPECT_NE(missing.find("sm4 ecb"), std::string::npos) << missing;
    EXPECT_NE(missing.find("3des-2key retail_mac"), std::string::npos) << missing;
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
