// Test support: reading the objects cardd made on a PKCS#11 token through a
// session pool of the test's own (session objects of this process included).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "pkcs11/key_objects.h"
#include "pkcs11/session_pool.h"

namespace cardd::hsm::test {

// The one secret-key object labelled `name`.
inline p11::ObjectHandle find_object(p11::SessionPool& pool, const std::string& name) {
  auto lease = pool.borrow();
  p11::Template t;
  t.number(CKA_CLASS, CKO_SECRET_KEY).text(CKA_LABEL, name);
  const p11::FunctionList& fn = lease->fn();
  p11::ObjectHandle found = CK_INVALID_HANDLE;
  unsigned long n = 0;
  EXPECT_EQ(fn.C_FindObjectsInit(lease->session(), t.data(), t.size()), CKR_OK);
  EXPECT_EQ(fn.C_FindObjects(lease->session(), &found, 1, &n), CKR_OK);
  fn.C_FindObjectsFinal(lease->session());
  EXPECT_EQ(n, 1u) << name;
  return found;
}

// A boolean attribute; nullopt when the token does not answer it.
inline std::optional<bool> object_flag(p11::SessionPool& pool, p11::ObjectHandle key,
                                       ck_attribute_type_t type) {
  auto lease = pool.borrow();
  unsigned char v = 0;
  p11::Attribute a{type, &v, 1};
  if (lease->fn().C_GetAttributeValue(lease->session(), key, &a, 1) != CKR_OK) return {};
  return v != 0;
}

}  // namespace cardd::hsm::test
