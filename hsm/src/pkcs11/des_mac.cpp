// ISO 9797-1 MAC algorithms 1 and 3 with a 2-key 3DES key (K1, K2), composed
// from what a token offers (see pkcs11_hsm_impl.h):
//   algorithm 1 (single DES under K1): DES3-CBC under K1||K1;
//   algorithm 3: H = DES-CBC under K1 of all blocks but the last, then the
//   last block x: E_K1(D_K2(E_K1(x ^ H))) = DES3-CBC under K1||K2 with IV H.
// Only public values (the MAC input and chaining values) are in host memory.
#include <fmt/format.h>

#include <algorithm>

#include "pkcs11/ck_error.h"
#include "pkcs11/pkcs11_hsm_impl.h"

namespace cardd::hsm::p11 {
namespace {

constexpr std::size_t kBlock = 8;

void fill_part_template(Template& t) {
  t.number(CKA_CLASS, CKO_SECRET_KEY)
      .number(CKA_KEY_TYPE, CKK_DES2)
      .flag(CKA_TOKEN, false)
      .flag(CKA_PRIVATE, true)
      .flag(CKA_SENSITIVE, true)
      .flag(CKA_EXTRACTABLE, false)
      .flag(CKA_ENCRYPT, true)
      .flag(CKA_MODIFIABLE, false);
}

}  // namespace

bool Pkcs11Hsm::wants_des_mac_parts(const KeyInfo& base, const Derivation& how, const KeySpec& out,
                                    bool persistent) const {
  const auto* e = std::get_if<EncryptDataDerivation>(&how);
  return e && e->data.size() >= kBlock && !persistent && out.algorithm == Algorithm::des3_2key &&
         out.usage.allows(Usage::mac) && is_des(base.spec.algorithm) &&
         !capabilities_.missing(Requirement{Algorithm::des3_2key, "retail_mac"});
}

Result<Pkcs11Hsm::DesMacParts> Pkcs11Hsm::derive_des_mac_parts(Lease& lease, ObjectHandle base,
                                                               const EncryptDataDerivation& how,
                                                               Mechanism& mechanism) {
  // The derived key's first half is the encryption of the first data block
  // (XOR the IV in CBC mode); ECB over that block twice gives K1||K1.
  Bytes first(how.data.begin(), how.data.begin() + kBlock);
  if (how.mode == CipherMode::cbc && !how.iv.empty())
    for (std::size_t i = 0; i < kBlock; ++i) first[i] ^= how.iv[i];
  Bytes twice = first;
  twice.insert(twice.end(), first.begin(), first.end());
  ck_key_derivation_string_data k1_data{twice.data(), twice.size()};
  Mechanism k1_mechanism{CKM_DES3_ECB_ENCRYPT_DATA, &k1_data, sizeof k1_data};

  DesMacParts parts;
  Template t;
  fill_part_template(t);
  const FunctionList& fn = lease.fn();
  if (const Rv rv =
          fn.C_DeriveKey(lease.session(), &k1_mechanism, base, t.data(), t.size(), &parts.k1);
      rv != CKR_OK)
    return lease.fail(rv, "CKM_DES3_ECB_ENCRYPT_DATA for the single-DES half of a MAC key");
  if (const Rv rv =
          fn.C_DeriveKey(lease.session(), &mechanism, base, t.data(), t.size(), &parts.full);
      rv != CKR_OK) {
    destroy_quietly(lease, parts.k1);
    return lease.fail(
        rv, fmt::format("{} for the last step of a MAC key", mechanism_name(mechanism.mechanism)));
  }
  return parts;
}

void Pkcs11Hsm::forget_des_mac_parts(Lease& lease, const std::string& name) {
  DesMacParts parts;
  {
    std::lock_guard lock(keys_mutex_);
    const auto it = des_mac_parts_.find(name);
    if (it == des_mac_parts_.end()) return;
    parts = it->second;
    des_mac_parts_.erase(it);
  }
  destroy_quietly(lease, parts.k1);
  destroy_quietly(lease, parts.full);
}

Result<Bytes> Pkcs11Hsm::composed_des_mac(const KeyInfo& key, MacMethod method, ByteView data) {
  DesMacParts parts;
  {
    std::lock_guard lock(keys_mutex_);
    const auto it = des_mac_parts_.find(key.spec.name);
    if (!key.ephemeral || it == des_mac_parts_.end())
      return make_error(HsmError::mechanism_unsupported,
                        fmt::format("pkcs11: ISO 9797-1 MAC with key {}: a 3DES key object does "
                                    "not expose its single-DES half; the MAC is composed only "
                                    "for 2-key 3DES session keys derived by encrypt-data",
                                    key.spec.name));
    parts = it->second;
  }
  auto lease = borrow();
  if (!lease) return lease.error();
  const std::string what = fmt::format("ISO 9797-1 MAC with key {}", key.spec.name);
  Bytes chain(kBlock, 0);
  Mechanism chain_mechanism{CKM_DES3_CBC, chain.data(), chain.size()};
  const std::size_t head = method == MacMethod::des_k1_mac ? data.size() : data.size() - kBlock;
  if (head > 0) {
    auto encrypted = cipher_with(*lease, parts.k1, chain_mechanism, true, data.first(head), what);
    if (!encrypted) return encrypted.error();
    std::copy(encrypted->end() - kBlock, encrypted->end(), chain.begin());
  }
  if (method == MacMethod::des_k1_mac) return chain;
  Mechanism last{CKM_DES3_CBC, chain.data(), chain.size()};
  return cipher_with(*lease, parts.full, last, true, data.last(kBlock), what);
}

}  // namespace cardd::hsm::p11
