// The Hsm over one PKCS#11 token (private to hsm/src/pkcs11).
//
// Keys are token objects (see key_objects.h); ephemeral (derived,
// non-persistent) keys are session objects of the pool's sessions, tracked
// here by name so that another Hsm of the same process, which sees the same
// session objects, never finds them. They vanish when this Hsm closes.
//
// ISO 9797-1 MAC algorithms 1 and 3 (SCP02's C-MAC and ICV) need the
// single-DES half K1 of a 2-key 3DES key, which a key object never exposes.
// They are composed for keys derived here by an encrypt-data derivation (the
// SCP02 session keys): the derivation also makes two internal session objects
// from the same base, inside the token: K1||K1 (3DES with equal halves is
// single DES under K1) and a copy of the key that may encrypt for the final
// 3DES step. Neither has a label or can leave the token; both go with the key.
// See des_mac.cpp.
//
// Key export policy: CKA_EXTRACTABLE only for keys made exportable (KeySpec);
// the Hsm base class checks purpose, exportability and strength before any
// wrap reaches the token.
//
// The token gone and back (session_pool.h): the first lease of a new epoch
// forgets the key handles found before and the ephemeral keys, which went
// with the token's sessions; a key search that finds nothing asks whether
// the token is still there before saying key_not_found.
//
// Thread safety: hooks run concurrently; each call borrows a session from the
// pool for its duration and never holds two at once.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cardd/hsm/hsm.h"
#include "pkcs11/key_objects.h"
#include "pkcs11/mechanisms.h"
#include "pkcs11/session_pool.h"

namespace cardd::hsm::p11 {

class Pkcs11Hsm final : public Hsm {
 public:
  explicit Pkcs11Hsm(std::unique_ptr<SessionPool> pool);
  ~Pkcs11Hsm() override = default;

  std::string_view backend() const override { return "pkcs11"; }
  std::vector<Requirement> unsupported(std::span<const Requirement> needed) const override;

 protected:
  Result<KeyInfo> do_generate(const KeySpec& spec) override;
  Result<KeyInfo> do_import(const KeySpec& spec, const SecureBytes& value) override;
  Result<KeyInfo> do_import_wrapped(const KeySpec& spec, ByteView wrapped,
                                    const KeyInfo& zmk) override;
  Result<KeyInfo> do_find(std::string_view name) override;
  Result<std::vector<KeyInfo>> do_list() override;
  Status do_destroy(const KeyInfo& key) override;
  Result<Bytes> do_crypt(const KeyInfo& key, bool encrypt, CipherMode mode, ByteView iv,
                         ByteView data) override;
  Result<Bytes> do_mac(const KeyInfo& key, MacMethod method, ByteView data) override;
  Result<KeyInfo> do_derive(const KeyInfo& base, const Derivation& how, const KeySpec& out,
                            bool persistent) override;
  Result<Bytes> do_wrap(const KeyInfo& wrapping_key, CipherMode mode, const KeyInfo& key) override;
  Result<Bytes> do_wrap_value(const KeyInfo& wrapping_key, const SecureBytes& value) override;
  Result<Bytes> do_random(std::size_t length) override;

 private:
  // A session of the pool, after forgetting what a previous epoch knew.
  Result<Lease> borrow();
  // mechanism_unsupported naming the reason, when the token cannot do it.
  Status require(Algorithm algorithm, const char* operation) const;
  Status ensure_absent(Lease& lease, const std::string& name);
  Result<ObjectHandle> handle_of(Lease& lease, const KeyInfo& key);
  // Computes the KCV (unless known) from the object or its draft, turns a
  // draft into the final object (C_CopyObject; see key_objects.h), registers
  // the key. Destroys what it made on failure.
  Result<KeyInfo> finish_new_key(Lease& lease, ObjectHandle handle, const KeySpec& spec,
                                 bool on_token, std::optional<std::string> kcv, bool draft);
  // C_WrapKey of `object` (value_length bytes) under `wrapping_key`; ECB on
  // a token without ECB wrapping is CBC with a zero IV when the value is one
  // block (the same bytes).
  // The mode the token wraps `value_length` bytes with, or why it cannot.
  Result<CipherMode> token_wrap_mode(const KeyInfo& wrapping_key, CipherMode mode,
                                     std::size_t value_length, std::string_view what);
  Result<Bytes> wrap_object(Lease& lease, const KeyInfo& wrapping_key, CipherMode mode,
                            ObjectHandle object, std::size_t value_length, std::string_view what);
  std::optional<bool> probe_wrap(Algorithm algorithm, CipherMode mode);

  struct DesMacParts {
    ObjectHandle k1 = CK_INVALID_HANDLE;    // K1||K1: single DES under K1
    ObjectHandle full = CK_INVALID_HANDLE;  // K1||K2 with encrypt, for the last block
  };
  bool wants_des_mac_parts(const KeyInfo& base, const Derivation& how, const KeySpec& out,
                           bool persistent) const;
  // Derives the parts of a key derived by `mechanism` (an encrypt-data
  // derivation of `how`) from `base`.
  Result<DesMacParts> derive_des_mac_parts(Lease& lease, ObjectHandle base,
                                           const EncryptDataDerivation& how, Mechanism& mechanism);
  Result<Bytes> composed_des_mac(const KeyInfo& key, MacMethod method, ByteView data);
  void forget_des_mac_parts(Lease& lease, const std::string& name);
  // One C_Encrypt or C_Decrypt (data of whole blocks: the output is as long).
  static Result<Bytes> cipher_with(Lease& lease, ObjectHandle key, Mechanism& mechanism,
                                   bool encrypt, ByteView data, const std::string& what);

  std::unique_ptr<SessionPool> pool_;
  Capabilities capabilities_;
  std::mutex create_mutex_;  // "name free? then create" is one step in this process
  std::mutex keys_mutex_;
  std::map<std::string, StoredKey, std::less<>> ephemeral_;
  std::map<std::string, ObjectHandle, std::less<>> handles_;       // token keys, as last found
  std::map<std::string, DesMacParts, std::less<>> des_mac_parts_;  // by key name
  std::atomic<std::uint64_t> epoch_ = 0;  // the pool's, of the handles above
};

}  // namespace cardd::hsm::p11
