// cardctl keys as key custodians use it: soft backend, real keystore file,
// real audit log.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "child_process.h"

namespace cardd {
namespace {

using test::bin_path;
using test::run_command;
using test::RunResult;

class CardctlKeysTest : public ::testing::Test {
 protected:
  // The audit key comes first: a key action that cannot be audited does not
  // happen. init-storage audits its four keys (entries 1-4).
  void SetUp() override {
    const RunResult r = keys({"init-storage"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  RunResult keys(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv{"env", "CARDD_KEYSTORE_PASSPHRASE=custodian secret",
                                  bin_path("cardctl"), "keys"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--keystore", file("keys.cks")});
    if (args.front() != "list" && args.front() != "capabilities") {
      argv.insert(argv.end(), {"--db", file("audit.db")});
      // The first key-making command creates the keystore, explicitly.
      if (!std::filesystem::exists(file("keys.cks"))) argv.push_back("--create-keystore");
    }
    return run_command(argv, input);
  }
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
  RunResult report() {
    return run_command({"env", "CARDD_KEYSTORE_PASSPHRASE=custodian secret", bin_path("cardctl"),
                        "report", "--db", file("audit.db"), "--keystore", file("keys.cks")});
  }

  test::TempDir dir_;
};

// Components 11…11 and 11 10 13 12 … combine to 000102…0f, whose GP KCV is
// C35280 (checked with the openssl command line).
const std::string kComponents =
    "11111111111111111111111111111111\n11101312151417161918 1b1a1d1c1f1e\n";

TEST_F(CardctlKeysTest, CeremonyShowsEachComponentKcvAndTheKeyKcv) {
  const RunResult r = keys(
      {"ceremony", "--name", "zmk", "--alg", "aes128", "--usage", "unwrap", "--components", "2"},
      kComponents);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("component 1 KCV: "), std::string::npos);
  EXPECT_NE(r.out.find("component 2 KCV: "), std::string::npos);
  EXPECT_NE(r.out.find("key zmk KCV: C35280"), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find("1b1a1d1c"), std::string::npos) << "components are never echoed";
  // One entry per step: each component (with its KCV), then the key.
  EXPECT_NE(report().out.find("audit chain: intact (7 entries)"), std::string::npos);
}

TEST_F(CardctlKeysTest, RepeatedOrWeakComponentsAreRefusedAndAudited) {
  const std::string same = "0123456789ABCDEFFEDCBA9876543210\n0123456789ABCDEFFEDCBA9876543210\n";
  RunResult r = keys({"ceremony", "--name", "k", "--alg", "3des-2key", "--usage", "mac"}, same);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("weak_key: component 2 repeats component 1"), std::string::npos) << r.err;
  r = keys({"ceremony", "--name", "k", "--alg", "3des-2key", "--usage", "mac"},
           "0101010101010101FEFEFEFEFEFEFEFE\n0123456789ABCDEFFEDCBA9876543210\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("component 1 is weak"), std::string::npos) << r.err;
  EXPECT_EQ(keys({"list"}).out.find("\nk "), std::string::npos);
  // Component 1 accepted and component 2 refused, then component 1 refused.
  EXPECT_NE(report().out.find("(7 entries)"), std::string::npos) << "refusals are audited too";
}

TEST_F(CardctlKeysTest, ImportUnderTheZmkChecksTheKcv) {
  ASSERT_EQ(keys({"ceremony", "--name", "zmk", "--alg", "aes128", "--usage", "unwrap"}, kComponents)
                .exit_code,
            0);
  // 00112233…ff encrypted under the ZMK is the FIPS-197 ciphertext; its KCV is 3544E0.
  RunResult wrong =
      keys({"import", "--name", "k1", "--alg", "aes128", "--usage", "mac", "--wrapped",
            "69c4e0d86a7b0430d8cdb78070b4c55a", "--under", "zmk", "--kcv", "000000"});
  EXPECT_EQ(wrong.exit_code, 1);
  RunResult without_kcv = keys({"import", "--name", "k1", "--alg", "aes128", "--usage", "mac",
                                "--wrapped", "69c4e0d86a7b0430d8cdb78070b4c55a", "--under", "zmk"});
  EXPECT_EQ(without_kcv.exit_code, 2);
  EXPECT_NE(without_kcv.err.find("--kcv"), std::string::npos) << without_kcv.err;
  RunResult ok = keys({"import", "--name", "k1", "--alg", "aes128", "--usage", "mac", "--wrapped",
                       "69c4e0d86a7b0430d8cdb78070b4c55a", "--under", "zmk", "--kcv", "3544E0"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const auto listed = nlohmann::json::parse(keys({"list", "--json"}).out);
  ASSERT_EQ(listed.size(), 6u) << "zmk, k1, and the storage and audit keys";
  const auto k1 = std::find_if(listed.begin(), listed.end(),
                               [](const nlohmann::json& k) { return k["name"] == "k1"; });
  ASSERT_NE(k1, listed.end());
  EXPECT_EQ((*k1)["kcv"], "3544E0");
  EXPECT_EQ((*k1)["usage"], "mac");
  EXPECT_FALSE(k1->contains("value"));
}

TEST_F(CardctlKeysTest, GenerateListAndCapabilities) {
  ASSERT_EQ(keys({"generate", "--name", "master/ik", "--alg", "aes128", "--usage", "derive",
                  "--version", "2"})
                .exit_code,
            0);
  const RunResult list = keys({"list"});
  EXPECT_NE(list.out.find("master/ik"), std::string::npos);
  const RunResult caps = keys({"capabilities"});
  EXPECT_NE(caps.out.find("backend: soft"), std::string::npos);
  EXPECT_NE(caps.out.find("sm4"), std::string::npos);
  EXPECT_EQ(keys({"generate", "--name", "x", "--alg", "rc4", "--usage", "mac"}).exit_code, 2);
}

TEST_F(CardctlKeysTest, AKeyHasOnePurposeAndMastersNameWhatTheyDerive) {
  const RunResult mixed =
      keys({"generate", "--name", "dek", "--alg", "aes128", "--usage", "wrap,decrypt"});
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_NE(mixed.err.find("mixes purposes"), std::string::npos) << mixed.err;
  ASSERT_EQ(keys({"generate", "--name", "app", "--alg", "aes128", "--usage", "derive", "--derives",
                  "encrypt", "--derives-exportable"})
                .exit_code,
            0);
  bool found = false;
  for (const auto& k : nlohmann::json::parse(keys({"list", "--json"}).out)) {
    if (k["name"] != "app") continue;
    found = true;
    EXPECT_EQ(k["policy"], "derive -> encrypt exportable");
    EXPECT_EQ(k["exportable"], false);
  }
  EXPECT_TRUE(found);
}

TEST_F(CardctlKeysTest, AMissingKeystoreIsCreatedOnlyWhenAsked) {
  const std::string typo = file("keys.ckss");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"list"},
                                               {"generate", "--name", "a", "--alg", "aes128",
                                                "--usage", "mac", "--db", file("audit.db")}}) {
    std::vector<std::string> argv{"env", "CARDD_KEYSTORE_PASSPHRASE=custodian secret",
                                  bin_path("cardctl"), "keys"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--keystore", typo});
    const RunResult r = run_command(argv);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE(r.err.find("there is no keystore " + typo), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--create-keystore"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(typo)) << args[0];
  }
  EXPECT_EQ(keys({"list", "--create-keystore"}).exit_code, 2)
      << "only key-making commands take --create-keystore";
  const RunResult made = keys({"generate", "--name", "a", "--alg", "aes128", "--usage", "mac"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_TRUE(std::filesystem::exists(file("keys.cks")));
  // Given again on an existing keystore, --create-keystore just opens it.
  std::vector<std::string> again{"env",
                                 "CARDD_KEYSTORE_PASSPHRASE=custodian secret",
                                 bin_path("cardctl"),
                                 "keys",
                                 "generate",
                                 "--name",
                                 "b",
                                 "--alg",
                                 "aes128",
                                 "--usage",
                                 "mac",
                                 "--db",
                                 file("audit.db"),
                                 "--keystore",
                                 file("keys.cks"),
                                 "--create-keystore"};
  ASSERT_EQ(run_command(again).exit_code, 0);
  std::size_t own = 0;  // besides the storage and audit keys of SetUp
  for (const auto& k : nlohmann::json::parse(keys({"list", "--json"}).out))
    own += k["name"] == "a" || k["name"] == "b" ? 1u : 0u;
  EXPECT_EQ(own, 2u);
}

TEST_F(CardctlKeysTest, WrongPassphraseIsRefused) {
  ASSERT_EQ(keys({"generate", "--name", "a", "--alg", "aes128", "--usage", "mac"}).exit_code, 0);
  const RunResult r = run_command({"env", "CARDD_KEYSTORE_PASSPHRASE=guess", bin_path("cardctl"),
                                   "keys", "list", "--keystore", file("keys.cks")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("login_failed"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cardd

#include "../hsm/softhsm_token.h"

namespace cardd {
namespace {

TEST(CardctlKeysPkcs11, CeremonyAndCapabilitiesOnASoftHsm2Token) {
  test::SoftHsmToken token;  // sets SOFTHSM2_CONF, which cardctl inherits
  test::TempDir dir;
  const std::string db = (dir.path() / "audit.db").string();
  auto keys = [&](std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv{test::bin_path("cardctl"), "keys"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--hsm", "pkcs11", "--pin-file", token.pin_file()});
    return test::run_command(argv, input);
  };
  // Exit 1: the default (Beijing) profile needs the SP 800-108 KDF SoftHSM2 lacks.
  const auto caps = keys({"capabilities"});
  ASSERT_EQ(caps.exit_code, 1) << caps.err;
  EXPECT_NE(caps.out.find("backend: pkcs11"), std::string::npos);
  const auto sm4 = caps.out.find("\nsm4");
  const auto needs = caps.out.find("card profile needs:");
  ASSERT_NE(sm4, std::string::npos);
  ASSERT_NE(needs, std::string::npos) << caps.out;
  EXPECT_EQ(caps.out.substr(sm4, needs - sm4).find("yes"), std::string::npos)
      << "SoftHSM2 has no SM4: " << caps.out;
  EXPECT_NE(caps.out.find("derive_sp800_108     MISSING"), std::string::npos) << caps.out;
  EXPECT_NE(caps.out.find("wrap_cbc             yes"), std::string::npos) << caps.out;

  ASSERT_EQ(keys({"init-storage", "--db", db}).exit_code, 0) << "the audit key first";
  const auto made =
      keys({"ceremony", "--db", db, "--name", "zmk", "--alg", "aes128", "--usage", "encrypt"},
           "11111111111111111111111111111111\n11101312151417161918 1b1a1d1c1f1e\n");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("key zmk KCV: C35280"), std::string::npos) << made.out;
  const auto refused =
      keys({"generate", "--db", db, "--name", "s", "--alg", "sm4", "--usage", "mac"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("mechanism_unsupported"), std::string::npos) << refused.err;
  EXPECT_NE(keys({"list"}).out.find("C35280"), std::string::npos);
}

}  // namespace
}  // namespace cardd
