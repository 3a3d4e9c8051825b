// Keys as PKCS#11 objects: templates, lookup by label, reading KeyInfo back,
// and the GlobalPlatform KCV computed inside the token.
//
// A cardd key is a CKO_SECRET_KEY with CKA_LABEL = key name, CKA_KEY_TYPE
// (+ CKA_VALUE_LEN) = algorithm, CKA_ENCRYPT/DECRYPT/SIGN+VERIFY/DERIVE/WRAP/
// UNWRAP = usage, CKA_SENSITIVE always, CKA_EXTRACTABLE only for exportable
// keys, CKA_MODIFIABLE false (a copy cannot change anything either), CKA_ID =
// "cardd:v<version>:p=<policy>:kcv=<KCV>" so version, derive template and KCV
// survive restarts. A stored exportable key also has CKA_WRAP_WITH_TRUSTED:
// it leaves the token only under a wrap key the token's security officer
// created CKA_TRUSTED. Keys derived for one card (session objects) do not:
// they leave under that card's DEK, derived in the same token, which a user
// can never mark trusted. The token's own CKA_CHECK_VALUE is not used: for AES it
// encrypts 16×00 (GP: 16×01), and SoftHSM 2.6.1 stores SHA-1(key) for
// derived keys.
//
// A key whose final usage cannot encrypt gets its KCV as a draft: a session
// object that may encrypt (and be modified), probed once, then copied
// (C_CopyObject) into the final object and destroyed. The final object never
// had CKA_ENCRYPT and can never be changed.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/hsm/types.h"
#include "pkcs11/cryptoki.h"
#include "pkcs11/mechanisms.h"
#include "pkcs11/session_pool.h"

namespace cardd::hsm::p11 {

// An attribute template owning its scalar values. Byte and text values are
// referenced, not copied (no copy of key material to wipe): they must outlive
// the template.
class Template {
 public:
  Template() = default;
  Template(const Template&) = delete;
  Template& operator=(const Template&) = delete;

  Template& flag(ck_attribute_type_t type, bool on);
  Template& number(ck_attribute_type_t type, unsigned long n);
  Template& bytes(ck_attribute_type_t type, ByteView value);
  Template& text(ck_attribute_type_t type, std::string_view value);

  Attribute* data() { return attributes_.data(); }
  unsigned long size() const { return attributes_.size(); }

 private:
  std::vector<Attribute> attributes_;
  std::deque<unsigned char> flags_;  // deque: stable addresses
  std::deque<unsigned long> numbers_;
};

// How a new key object is made.
struct KeyObject {
  const KeySpec* spec = nullptr;
  KeyType type;
  bool on_token = true;        // false: session object (ephemeral)
  bool extractable = false;    // may be wrapped out
  bool with_value_len = true;  // C_GenerateKey/C_DeriveKey: yes; C_CreateObject: no
  std::string_view id;         // CKA_ID metadata, referenced: must outlive the template
  bool draft = false;          // a session object that may encrypt and be modified (KCV)
};
// The attributes shared by generate, import, derive and unwrap (class, key
// type, label, id, usage, token/private/sensitive/extractable).
void fill_key_template(Template& t, const KeyObject& key);

std::string encode_id(const KeySpec& spec, std::string_view kcv);
// The attributes that turn a draft into the final object: token, encrypt
// usage, id, then no longer modifiable (last: nothing changes after it).
void fill_final_template(Template& t, const KeyObject& key);

struct StoredKey {
  KeyInfo info;
  ObjectHandle handle = CK_INVALID_HANDLE;
};

// Token objects of class secret key, optionally with this label.
Result<std::vector<ObjectHandle>> find_keys(Lease& lease, std::optional<std::string_view> label);
// Reads a key object back. nullopt when the object is not one cardd can use
// (unknown key type, label not a key name).
Result<std::optional<StoredKey>> read_key(Lease& lease, ObjectHandle handle);

// The GP KCV computed by the token: an ECB encryption of the probe block
// (8×00 for DES, 16×01 for AES). The key (or its draft) must be able to encrypt.
Result<std::string> token_kcv(Lease& lease, ObjectHandle handle, Algorithm algorithm);
// CKA_TRUSTED of a wrap key (false where the token does not know it).
Result<bool> is_trusted(Lease& lease, ObjectHandle handle);
void destroy_quietly(Lease& lease, ObjectHandle handle);

}  // namespace cardd::hsm::p11
