// What an auditor checks on the token itself, below cardd's own rules: the
// PKCS#11 attributes of the objects cardd makes (a real SoftHSM2 token, read
// through a session of our own).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "backend_fixture.h"
#include "cardd/hsm/factory.h"
#include "cardd/hsm/hsm.h"
#include "hex.h"
#include "pkcs11/key_objects.h"
#include "pkcs11/module.h"
#include "pkcs11/session_pool.h"
#include "softhsm_token.h"
#include "token_objects.h"

namespace cardd::hsm {
namespace {

class TokenAttributes : public ::testing::Test {
 protected:
  void SetUp() override {
    token_.emplace();
    const HsmConfig c = token_->hsm_config();
    auto opened = open_hsm(c);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    hsm_ = std::move(*opened);
    auto module = p11::Module::open(c.pkcs11.module_path);
    ASSERT_TRUE(module.ok());
    auto pool = p11::SessionPool::open(*module, c.pkcs11.token_label, 1, cardd::test::token_pin);
    ASSERT_TRUE(pool.ok()) << pool.error().describe();
    pool_ = std::move(*pool);
  }
  void TearDown() override {
    pool_.reset();
    hsm_.reset();
    token_.reset();
  }

  // The object labelled `name`, session objects of this process included.
  p11::ObjectHandle find(const std::string& name) { return test::find_object(*pool_, name); }
  std::optional<bool> flag(p11::ObjectHandle key, ck_attribute_type_t type) {
    return test::object_flag(*pool_, key, type);
  }

  // CKA_VALUE: the return value of C_GetAttributeValue.
  p11::Rv read_value(p11::ObjectHandle key) {
    auto lease = pool_->borrow();
    std::uint8_t value[64] = {};
    p11::Attribute a{CKA_VALUE, value, sizeof value};
    return lease->fn().C_GetAttributeValue(lease->session(), key, &a, 1);
  }

  p11::Rv set_flag(p11::ObjectHandle key, ck_attribute_type_t type, bool on) {
    auto lease = pool_->borrow();
    p11::Template t;
    t.flag(type, on);
    return lease->fn().C_SetAttributeValue(lease->session(), key, t.data(), t.size());
  }

  void import(const KeySpec& spec, std::string_view key_hex) {
    const Bytes key = test::hex(key_hex);
    std::vector<SecureBytes> parts;
    parts.emplace_back(key.size());
    parts.emplace_back(key.size());
    for (std::size_t i = 0; i < key.size(); ++i) {
      parts[0][i] = static_cast<std::uint8_t>(0x3C ^ (i * 13 + 5));
      parts[1][i] = static_cast<std::uint8_t>(key[i] ^ parts[0][i]);
    }
    auto info = hsm_->import_components(spec, parts);
    ASSERT_TRUE(info.ok()) << spec.name << ": " << info.error().describe();
  }

  std::optional<cardd::test::SoftHsmToken> token_;
  std::unique_ptr<Hsm> hsm_;
  std::unique_ptr<p11::SessionPool> pool_;
};

TEST_F(TokenAttributes, CardKeysCannotBeReadWrappedOutOrChanged) {
  import(KeySpec{"kmc", Algorithm::aes128, {Usage::derive}, 1}, "404142434445464748494A4B4C4D4E4F");
  import(KeySpec{"dek", Algorithm::aes128, {Usage::wrap}, 1}, "2b7e151628aed2a6abf7158809cf4f3c");
  const EncryptDataDerivation how{CipherMode::ecb, {}, Bytes(16, 0x42)};
  ASSERT_TRUE(
      hsm_->derive("kmc", how, KeySpec{"card/enc", Algorithm::aes128, {Usage::derive}, 1}).ok());
  ASSERT_TRUE(
      hsm_->derive("kmc", how, KeySpec{"card/kept", Algorithm::aes128, {Usage::mac}, 1}, true)
          .ok());
  const p11::ObjectHandle dek = find("dek");
  for (const char* name : {"kmc", "card/enc", "card/kept"}) {
    const p11::ObjectHandle key = find(name);
    EXPECT_EQ(read_value(key), CKR_ATTRIBUTE_SENSITIVE) << name;
    EXPECT_EQ(flag(key, CKA_SENSITIVE), true) << name;
    EXPECT_EQ(flag(key, CKA_EXTRACTABLE), false) << name;
    EXPECT_EQ(flag(key, CKA_MODIFIABLE), false) << name;
    EXPECT_EQ(flag(key, CKA_ENCRYPT), false) << name;
    // Nobody can switch a usage on afterwards, not even cardd.
    EXPECT_NE(set_flag(key, CKA_ENCRYPT, true), CKR_OK) << name;
    EXPECT_NE(set_flag(key, CKA_EXTRACTABLE, true), CKR_OK) << name;
    // And the token itself refuses to wrap it out.
    auto lease = pool_->borrow();
    Bytes iv(16, 0), out(64);
    unsigned long length = out.size();
    p11::Mechanism cbc{CKM_AES_CBC, iv.data(), iv.size()};
    EXPECT_EQ(lease->fn().C_WrapKey(lease->session(), &cbc, dek, key, out.data(), &length),
              CKR_KEY_UNEXTRACTABLE)
        << name;
  }
}

TEST_F(TokenAttributes, AGeneratedDeriveKeyGetsItsKcvWithoutEverEncrypting) {
  auto master = hsm_->generate(KeySpec{"master", Algorithm::aes128, {Usage::derive}, 1});
  ASSERT_TRUE(master.ok()) << master.error().describe();
  EXPECT_EQ(master->kcv.size(), 6u);
  const p11::ObjectHandle key = find("master");  // the draft is gone: exactly one
  EXPECT_EQ(flag(key, CKA_ENCRYPT), false);
  EXPECT_EQ(flag(key, CKA_MODIFIABLE), false);
  EXPECT_EQ(flag(key, CKA_TOKEN), true);
  EXPECT_EQ(hsm_->info("master")->kcv, master->kcv);
}

TEST_F(TokenAttributes, OnlyExportableKeysAreExtractable) {
  import(test::exporting_master("app", Algorithm::aes128, {Usage::encrypt}),
         "000102030405060708090a0b0c0d0e0f");
  ASSERT_TRUE(hsm_->derive("app", EncryptDataDerivation{CipherMode::ecb, {}, Bytes(16, 1)},
                           KeySpec{"card/ik", Algorithm::aes128, {Usage::encrypt}, 1, true})
                  .ok());
  const p11::ObjectHandle key = find("card/ik");
  EXPECT_EQ(flag(key, CKA_EXTRACTABLE), true);
  EXPECT_EQ(flag(key, CKA_SENSITIVE), true);
  EXPECT_EQ(read_value(key), CKR_ATTRIBUTE_SENSITIVE);
  EXPECT_EQ(flag(find("app"), CKA_EXTRACTABLE), false);
}

}  // namespace
}  // namespace cardd::hsm
