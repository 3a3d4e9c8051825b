#include "pkcs11/mechanisms.h"

#include <fmt/format.h>

namespace cardd::hsm::p11 {

std::optional<KeyType> key_type_of(Algorithm a) {
  switch (a) {
    case Algorithm::des3_2key:
      return KeyType{CKK_DES2, 16, false};
    case Algorithm::des3_3key:
      return KeyType{CKK_DES3, 24, false};
    case Algorithm::aes128:
      return KeyType{CKK_AES, 16, true};
    case Algorithm::aes192:
      return KeyType{CKK_AES, 24, true};
    case Algorithm::aes256:
      return KeyType{CKK_AES, 32, true};
    case Algorithm::sm4:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Algorithm> algorithm_of(ck_key_type_t type, unsigned long value_len) {
  if (type == CKK_DES2) return Algorithm::des3_2key;
  if (type == CKK_DES3) return Algorithm::des3_3key;
  if (type != CKK_AES) return std::nullopt;
  switch (value_len) {
    case 16:
      return Algorithm::aes128;
    case 24:
      return Algorithm::aes192;
    case 32:
      return Algorithm::aes256;
    default:
      return std::nullopt;
  }
}

std::optional<ck_mechanism_type_t> keygen_mechanism(Algorithm a) {
  switch (a) {
    case Algorithm::des3_2key:
      return CKM_DES2_KEY_GEN;
    case Algorithm::des3_3key:
      return CKM_DES3_KEY_GEN;
    case Algorithm::aes128:
    case Algorithm::aes192:
    case Algorithm::aes256:
      return CKM_AES_KEY_GEN;
    case Algorithm::sm4:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<ck_mechanism_type_t> cipher_mechanism(Algorithm a, CipherMode mode) {
  if (a == Algorithm::sm4) return std::nullopt;
  if (is_des(a)) return mode == CipherMode::ecb ? CKM_DES3_ECB : CKM_DES3_CBC;
  return mode == CipherMode::ecb ? CKM_AES_ECB : CKM_AES_CBC;
}

std::optional<ck_mechanism_type_t> cmac_mechanism(Algorithm a) {
  if (a == Algorithm::sm4) return std::nullopt;
  return is_des(a) ? CKM_DES3_CMAC : CKM_AES_CMAC;
}

std::optional<ck_mechanism_type_t> encrypt_data_mechanism(Algorithm base, CipherMode mode) {
  if (base == Algorithm::sm4) return std::nullopt;
  if (is_des(base))
    return mode == CipherMode::ecb ? CKM_DES3_ECB_ENCRYPT_DATA : CKM_DES3_CBC_ENCRYPT_DATA;
  return mode == CipherMode::ecb ? CKM_AES_ECB_ENCRYPT_DATA : CKM_AES_CBC_ENCRYPT_DATA;
}

std::string mechanism_name(ck_mechanism_type_t m) {
  switch (m) {
    case CKM_DES2_KEY_GEN:
      return "CKM_DES2_KEY_GEN";
    case CKM_DES3_KEY_GEN:
      return "CKM_DES3_KEY_GEN";
    case CKM_AES_KEY_GEN:
      return "CKM_AES_KEY_GEN";
    case CKM_DES3_ECB:
      return "CKM_DES3_ECB";
    case CKM_DES3_CBC:
      return "CKM_DES3_CBC";
    case CKM_AES_ECB:
      return "CKM_AES_ECB";
    case CKM_AES_CBC:
      return "CKM_AES_CBC";
    case CKM_DES3_CMAC:
      return "CKM_DES3_CMAC";
    case CKM_AES_CMAC:
      return "CKM_AES_CMAC";
    case CKM_DES3_ECB_ENCRYPT_DATA:
      return "CKM_DES3_ECB_ENCRYPT_DATA";
    case CKM_DES3_CBC_ENCRYPT_DATA:
      return "CKM_DES3_CBC_ENCRYPT_DATA";
    case CKM_AES_ECB_ENCRYPT_DATA:
      return "CKM_AES_ECB_ENCRYPT_DATA";
    case CKM_AES_CBC_ENCRYPT_DATA:
      return "CKM_AES_CBC_ENCRYPT_DATA";
    case kCkmSp800108CounterKdf:
      return "CKM_SP800_108_COUNTER_KDF";
    default:
      return fmt::format("CKM_0x{:X}", m);
  }
}

std::optional<MechanismInfo> Capabilities::info(ck_mechanism_type_t m) const {
  std::lock_guard lock(mutex_);
  if (const auto it = infos_.find(m); it != infos_.end()) return it->second;
  MechanismInfo mi{};
  std::optional<MechanismInfo> result;
  if (fn_.C_GetMechanismInfo(slot_, m, &mi) == CKR_OK) result = mi;
  infos_.emplace(m, result);
  return result;
}

bool Capabilities::offers(ck_mechanism_type_t m, ck_flags_t flags,
                          std::optional<Algorithm> key) const {
  const auto mi = info(m);
  if (!mi || (mi->flags & flags) != flags) return false;
  // DES ranges are given in bits, bytes or not at all: presence decides.
  if (!key || is_des(*key) || (mi->min_key_size == 0 && mi->max_key_size == 0)) return true;
  const unsigned long bytes = key_length(*key);
  const unsigned long size =
      mi->max_key_size >= 128 ? bytes * 8 : bytes;  // some tokens count AES in bits
  return size >= mi->min_key_size && size <= mi->max_key_size;
}

std::optional<std::string> Capabilities::need(std::optional<ck_mechanism_type_t> m,
                                              ck_flags_t flags, Algorithm key,
                                              const char* flag_names) const {
  if (!m) return fmt::format("PKCS#11 has no standard mechanism for {}", to_string(key));
  if (offers(*m, flags, key)) return std::nullopt;
  return fmt::format("the token does not offer {} ({}) for {}-byte keys", mechanism_name(*m),
                     flag_names, key_length(key));
}

std::optional<std::string> Capabilities::wrap_missing(Algorithm a, CipherMode mode) const {
  if (auto why = need(cipher_mechanism(a, mode), CKF_WRAP, a, "wrap")) return why;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = wraps_.find({a, mode}); it != wraps_.end())
      return it->second ? std::nullopt
                        : std::optional<std::string>(fmt::format(
                              "the token flags {} for wrapping but C_WrapKey refuses it",
                              mechanism_name(*cipher_mechanism(a, mode))));
  }
  const std::optional<bool> works = probe_ ? probe_(a, mode) : std::optional<bool>(true);
  if (!works)
    return fmt::format("could not check whether the token wraps with {}",
                       mechanism_name(*cipher_mechanism(a, mode)));
  {
    std::lock_guard lock(mutex_);
    wraps_[{a, mode}] = *works;
  }
  return wrap_missing(a, mode);
}

std::optional<std::string> Capabilities::missing(const Requirement& req) const {
  const Algorithm a = req.algorithm;
  const std::string& op = req.operation;
  if (a == Algorithm::sm4) return std::string("SM4 has no standard PKCS#11 mechanism");
  if (op == "generate") return need(keygen_mechanism(a), CKF_GENERATE, a, "generate");
  if (op == "ecb" || op == "cbc")
    return need(cipher_mechanism(a, op == "ecb" ? CipherMode::ecb : CipherMode::cbc),
                CKF_ENCRYPT | CKF_DECRYPT, a, "encrypt+decrypt");
  if (op == "cmac") return need(cmac_mechanism(a), CKF_SIGN, a, "sign");
  if (op == "retail_mac" || op == "des_k1_mac") {
    // Composed for derived session keys (des_mac.cpp): two-key 3DES only.
    if (a != Algorithm::des3_2key)
      return std::string("ISO 9797-1 MAC algorithms 1 and 3 are composed for 2-key 3DES only");
    if (auto why = need(CKM_DES3_ECB_ENCRYPT_DATA, CKF_DERIVE, a, "derive")) return why;
    return need(CKM_DES3_CBC, CKF_ENCRYPT, a, "encrypt");
  }
  if (op == "derive_encrypt_data") {
    if (auto why = need(encrypt_data_mechanism(a, CipherMode::ecb), CKF_DERIVE, a, "derive"))
      return why;
    return need(encrypt_data_mechanism(a, CipherMode::cbc), CKF_DERIVE, a, "derive");
  }
  if (op == "derive_sp800_108") {
    if (is_des(a)) return std::string("the SP 800-108 CMAC KDF is used with AES keys only");
    if (auto why = need(kCkmSp800108CounterKdf, CKF_DERIVE, a, "derive")) return why;
    return need(cmac_mechanism(a), CKF_SIGN, a, "sign");
  }
  if (op == "wrap_ecb") return wrap_missing(a, CipherMode::ecb);
  if (op == "wrap_cbc") return wrap_missing(a, CipherMode::cbc);
  if (op == "unwrap_ecb")
    return need(cipher_mechanism(a, CipherMode::ecb), CKF_UNWRAP, a, "unwrap");
  return fmt::format("unknown operation '{}'", op);
}

}  // namespace cardd::hsm::p11
