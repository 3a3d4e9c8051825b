// Stored exportable keys leave a PKCS#11 token only under a wrap key its
// security officer created trusted (CKA_WRAP_WITH_TRUSTED / CKA_TRUSTED), on
// a real SoftHSM2 token. SoftHSM lets the SO create a trusted key but not a
// private one, so the test KEK is a public (still sensitive) object; a
// production HSM's SO tooling makes it private.
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

constexpr const char* kKekHex = "2b7e151628aed2a6abf7158809cf4f3c";

class TrustedWrapping : public ::testing::Test {
 protected:
  void SetUp() override {
    token_.emplace();
    const HsmConfig c = token_->hsm_config();
    auto module = p11::Module::open(c.pkcs11.module_path);
    ASSERT_TRUE(module.ok());
    module_ = *module;
    auto slot = module_->find_token(c.pkcs11.token_label);
    ASSERT_TRUE(slot.ok());
    security_officer_creates_trusted_kek(*slot);
    auto opened = open_hsm(c);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    hsm_ = std::move(*opened);
    auto pool = p11::SessionPool::open(module_, c.pkcs11.token_label, 1, cardd::test::token_pin);
    ASSERT_TRUE(pool.ok()) << pool.error().describe();
    pool_ = std::move(*pool);
  }
  void TearDown() override {
    pool_.reset();
    hsm_.reset();
    module_.reset();
    token_.reset();
  }

  // The ceremony's security-officer step, before cardd logs in.
  void security_officer_creates_trusted_kek(p11::SlotId slot) {
    const p11::FunctionList& fn = module_->fn();
    p11::SessionHandle s = 0;
    ASSERT_EQ(fn.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s),
              CKR_OK);
    std::string so_pin = cardd::test::SoftHsmToken::kSoPin;
    ASSERT_EQ(fn.C_Login(s, CKU_SO, reinterpret_cast<unsigned char*>(so_pin.data()), so_pin.size()),
              CKR_OK);
    const Bytes value = test::hex(kKekHex);
    const KeySpec spec{"kek/trusted", Algorithm::aes128, {Usage::wrap}, 1};
    const std::string id = p11::encode_id(spec, "");
    p11::Template t;
    t.number(CKA_CLASS, CKO_SECRET_KEY)
        .number(CKA_KEY_TYPE, CKK_AES)
        .text(CKA_LABEL, spec.name)
        .text(CKA_ID, id)
        .flag(CKA_TOKEN, true)
        .flag(CKA_PRIVATE, false)
        .flag(CKA_SENSITIVE, true)
        .flag(CKA_EXTRACTABLE, false)
        .flag(CKA_WRAP, true)
        .flag(CKA_TRUSTED, true)
        .bytes(CKA_VALUE, value);
    p11::ObjectHandle kek = CK_INVALID_HANDLE;
    EXPECT_EQ(fn.C_CreateObject(s, t.data(), t.size(), &kek), CKR_OK);
    fn.C_Logout(s);
    fn.C_CloseSession(s);
  }

  p11::ObjectHandle find(const std::string& name) { return test::find_object(*pool_, name); }
  std::optional<bool> flag(p11::ObjectHandle key, ck_attribute_type_t type) {
    return test::object_flag(*pool_, key, type);
  }

  void import(const KeySpec& spec, std::string_view key_hex) {
    std::vector<SecureBytes> parts;
    parts.push_back(SecureBytes(test::hex(key_hex)));
    parts.push_back(SecureBytes(parts[0].size()));
    for (std::size_t i = 0; i < parts[1].size(); ++i)
      parts[1][i] = static_cast<std::uint8_t>(i * 11 + 1);
    for (std::size_t i = 0; i < parts[1].size(); ++i) parts[0][i] ^= parts[1][i];
    auto info = hsm_->import_components(spec, parts);
    ASSERT_TRUE(info.ok()) << spec.name << ": " << info.error().describe();
  }

  std::optional<cardd::test::SoftHsmToken> token_;
  std::shared_ptr<p11::Module> module_;
  std::unique_ptr<Hsm> hsm_;
  std::unique_ptr<p11::SessionPool> pool_;
};

TEST_F(TrustedWrapping, AStoredExportableKeyLeavesOnlyUnderATrustedKek) {
  const char* zpk_hex = "000102030405060708090a0b0c0d0e0f";
  import(KeySpec{"exchange/zpk", Algorithm::aes128, {Usage::encrypt}, 1, true}, zpk_hex);
  import(KeySpec{"kek/own", Algorithm::aes128, {Usage::wrap}, 1}, kKekHex);
  import(KeySpec{"kek/check", Algorithm::aes128, {Usage::decrypt}, 1}, kKekHex);
  const p11::ObjectHandle zpk = find("exchange/zpk");
  EXPECT_EQ(flag(zpk, CKA_WRAP_WITH_TRUSTED), true);
  EXPECT_EQ(flag(find("kek/trusted"), CKA_TRUSTED), true);
  EXPECT_EQ(flag(find("kek/own"), CKA_TRUSTED), false);

  // A wrap key cardd made itself (same value, even) is not trusted.
  auto refused = hsm_->wrap("kek/own", CipherMode::cbc, "exchange/zpk");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, HsmError::usage_not_permitted);
  EXPECT_NE(refused.error().message.find("trusted"), std::string::npos)
      << refused.error().describe();
  // The token refuses it as well, whoever asks.
  {
    const p11::ObjectHandle own = find("kek/own");
    auto lease = pool_->borrow();
    Bytes iv(16, 0), out(64);
    unsigned long length = out.size();
    p11::Mechanism cbc{CKM_AES_CBC, iv.data(), iv.size()};
    EXPECT_EQ(lease->fn().C_WrapKey(lease->session(), &cbc, own, zpk, out.data(), &length),
              CKR_KEY_NOT_WRAPPABLE);
  }

  auto wrapped = hsm_->wrap("kek/trusted", CipherMode::cbc, "exchange/zpk");
  ASSERT_TRUE(wrapped.ok()) << wrapped.error().describe();
  auto clear = hsm_->decrypt("kek/check", CipherMode::cbc, {}, *wrapped);
  ASSERT_TRUE(clear.ok()) << clear.error().describe();
  EXPECT_EQ(test::to_hex(*clear), zpk_hex);
}

TEST_F(TrustedWrapping, ACardKeyLeavesUnderTheCardsOwnDek) {
  import(test::exporting_master("app", Algorithm::aes128, {Usage::encrypt}),
         "000102030405060708090a0b0c0d0e0f");
  import(KeySpec{"card/dek", Algorithm::aes128, {Usage::wrap}, 1}, kKekHex);
  ASSERT_TRUE(hsm_->derive("app", EncryptDataDerivation{CipherMode::ecb, {}, Bytes(16, 1)},
                           KeySpec{"card/ik", Algorithm::aes128, {Usage::encrypt}, 1, true})
                  .ok());
  EXPECT_EQ(flag(find("card/ik"), CKA_WRAP_WITH_TRUSTED), false);
  auto wrapped = hsm_->wrap("card/dek", CipherMode::ecb, "card/ik");
  ASSERT_TRUE(wrapped.ok()) << wrapped.error().describe();
  EXPECT_EQ(wrapped->size(), 16u);
}

}  // namespace
}  // namespace cardd::hsm
