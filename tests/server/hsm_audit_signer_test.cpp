// The audit log's MAC key in the HSM, on both backends (soft keystore and a
// real SoftHSM2 token): made by the ceremony command only, usage mac only,
// versions kept across rotation, an unknown version said as such.
#include "cardd/server/hsm_audit_signer.h"

#include <gtest/gtest.h>

#include "../hsm/softhsm_token.h"
#include "cardd/db/error.h"
#include "cardd/hsm/factory.h"
#include "child_process.h"
#include "soft_hsm.h"

namespace cardd::server {
namespace {

void check_signer(hsm::Hsm& h) {
  auto none = HsmAuditSigner::open(h);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, hsm::HsmError::key_not_found);
  EXPECT_NE(none.error().message.find("cardctl keys init-storage"), std::string::npos);

  auto made = create_audit_key(h, false);
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(made->spec.name, "cardd.audit.mac.v1");
  EXPECT_EQ(made->spec.usage.to_string(), "mac");
  EXPECT_EQ(create_audit_key(h, false).error().code, hsm::HsmError::key_exists);
  // Usage mac only: the key cannot encrypt (so it cannot be used to forge
  // a CBC-MAC by other means or to carry data out).
  const hsm::Bytes block(16, 0);
  EXPECT_FALSE(h.encrypt("cardd.audit.mac.v1", hsm::CipherMode::cbc, block, block).ok());

  auto v1 = HsmAuditSigner::open(h);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ((*v1)->key_version(), 1u);
  const auto a = (*v1)->mac(1, "message");
  ASSERT_TRUE(a.ok()) << a.error().describe();
  EXPECT_EQ(a->size(), 32u);
  EXPECT_EQ(*a, *(*v1)->mac(1, "message"));
  EXPECT_NE(*a, *(*v1)->mac(1, "messagf"));
  EXPECT_EQ((*v1)->mac(2, "message").error().code, db::DbError::unknown_audit_key);

  ASSERT_TRUE(create_audit_key(h, true).ok());
  auto v2 = HsmAuditSigner::open(h);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ((*v2)->key_version(), 2u);
  EXPECT_EQ(*(*v2)->mac(1, "message"), *a) << "version 1 still answers";
  EXPECT_NE(*(*v2)->mac(2, "message"), *a);
}

TEST(HsmAuditSigner, SoftKeystore) {
  test::TempDir dir;
  auto h = test::open_soft_hsm(dir.path());
  ASSERT_NE(h, nullptr);
  check_signer(*h);
}

TEST(HsmAuditSigner, SoftHsm2Token) {
  test::SoftHsmToken token;
  auto h = hsm::open_hsm(token.hsm_config());
  ASSERT_TRUE(h.ok()) << h.error().describe();
  check_signer(**h);
}

}  // namespace
}  // namespace cardd::server
