// Our algorithms and operations in PKCS#11 terms, and what a token offers.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "cardd/hsm/hsm.h"
#include "cardd/hsm/types.h"
#include "pkcs11/cryptoki.h"

namespace cardd::hsm::p11 {

struct KeyType {
  ck_key_type_t type = 0;
  unsigned long value_len = 0;  // bytes; set in templates only for AES
  bool has_value_len = false;
};

// nullopt: PKCS#11 has no standard key type for the algorithm (SM4).
std::optional<KeyType> key_type_of(Algorithm a);
std::optional<Algorithm> algorithm_of(ck_key_type_t type, unsigned long value_len);

// nullopt where PKCS#11 has no standard mechanism.
std::optional<ck_mechanism_type_t> keygen_mechanism(Algorithm a);
std::optional<ck_mechanism_type_t> cipher_mechanism(Algorithm a, CipherMode mode);
std::optional<ck_mechanism_type_t> cmac_mechanism(Algorithm a);
std::optional<ck_mechanism_type_t> encrypt_data_mechanism(Algorithm base, CipherMode mode);
std::string mechanism_name(ck_mechanism_type_t m);

// What the token behind one slot can do, from C_GetMechanismInfo (cached),
// plus a functional probe for wrapping: tokens may flag CKF_WRAP on a
// mechanism C_WrapKey then refuses (SoftHSM 2.6.1 with CKM_DES3_CBC).
// Thread safety: all methods may be called concurrently.
class Capabilities {
 public:
  // Returns whether C_WrapKey works with (wrapping key algorithm, mode), or
  // nullopt when the probe could not tell (not cached then).
  using WrapProbe = std::function<std::optional<bool>(Algorithm, CipherMode)>;

  Capabilities(const FunctionList& fn, SlotId slot, WrapProbe probe)
      : fn_(fn), slot_(slot), probe_(std::move(probe)) {}

  // Why the token cannot meet `need` (operation names as in Requirement, plus
  // "unwrap_ecb" for import_wrapped), or nullopt when it can.
  std::optional<std::string> missing(const Requirement& need) const;
  // The token lists `m` with every bit of `flags` and a key size range that
  // admits `key`'s length.
  bool offers(ck_mechanism_type_t m, ck_flags_t flags,
              std::optional<Algorithm> key = std::nullopt) const;

 private:
  std::optional<MechanismInfo> info(ck_mechanism_type_t m) const;
  std::optional<std::string> need(std::optional<ck_mechanism_type_t> m, ck_flags_t flags,
                                  Algorithm key, const char* flag_names) const;
  std::optional<std::string> wrap_missing(Algorithm a, CipherMode mode) const;

  const FunctionList& fn_;
  SlotId slot_;
  WrapProbe probe_;
  mutable std::mutex mutex_;
  mutable std::map<ck_mechanism_type_t, std::optional<MechanismInfo>> infos_;
  mutable std::map<std::pair<Algorithm, CipherMode>, bool> wraps_;
};

}  // namespace cardd::hsm::p11
