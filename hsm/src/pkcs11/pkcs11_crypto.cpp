// The cryptographic hooks of Pkcs11Hsm: cipher, MAC, derivation, wrapping,
// random. Key management is in pkcs11_hsm.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <variant>

#include "pkcs11/ck_error.h"
#include "pkcs11/pkcs11_hsm_impl.h"

namespace cardd::hsm::p11 {
namespace {

Error unsupported_error(std::string message) {
  return make_error(HsmError::mechanism_unsupported, std::move(message));
}

// Inputs are read, never written, by the token.
std::uint8_t* in(ByteView data) {
  static std::uint8_t empty = 0;  // some modules refuse a null pointer even for 0 bytes
  return data.empty() ? &empty : const_cast<std::uint8_t*>(data.data());
}

// The parameter block of one EncryptDataDerivation, kept alive for C_DeriveKey.
struct EncryptDataParams {
  Bytes data;
  ck_key_derivation_string_data ecb{};
  ck_des_cbc_encrypt_data_params des_cbc{};
  ck_aes_cbc_encrypt_data_params aes_cbc{};

  Mechanism mechanism(ck_mechanism_type_t type, const EncryptDataDerivation& e, Algorithm base) {
    data = e.data;
    if (e.mode == CipherMode::ecb) {
      ecb = {data.data(), data.size()};
      return Mechanism{type, &ecb, sizeof ecb};
    }
    const Bytes iv = e.iv.empty() ? Bytes(block_size(base), 0) : e.iv;
    if (is_des(base)) {
      std::copy_n(iv.begin(), sizeof des_cbc.iv, des_cbc.iv);
      des_cbc.data_params = data.data();
      des_cbc.length = data.size();
      return Mechanism{type, &des_cbc, sizeof des_cbc};
    }
    std::copy_n(iv.begin(), sizeof aes_cbc.iv, aes_cbc.iv);
    aes_cbc.data_params = data.data();
    aes_cbc.length = data.size();
    return Mechanism{type, &aes_cbc, sizeof aes_cbc};
  }
};

// The SP 800-108 counter KDF input in the derivation's layout (types.h):
// SCP03's label || 0x00 || L || i || context, or kdf3's i || label || 0x00 || context.
struct Sp800108Params {
  Bytes label;
  std::uint8_t separator = 0;
  Bytes context;
  Sp800108DkmLengthFormat length{kSp800108DkmLengthSumOfKeys, kFalse, 16};
  Sp800108CounterFormat counter{kFalse, 8};
  std::array<PrfDataParam, 5> params{};
  Sp800108KdfParams kdf{};

  Mechanism mechanism(const Sp800108CmacDerivation& s) {
    const bool kdf3 = s.layout == Sp800108Layout::gp_kdf3;
    label.assign(kdf3 ? 3 : 11, 0);
    label.push_back(s.constant);
    context = s.context;
    unsigned long n = 0;
    if (kdf3) params[n++] = {kSp800108IterationVariable, &counter, sizeof counter};
    params[n++] = {kSp800108ByteArray, label.data(), label.size()};
    params[n++] = {kSp800108ByteArray, &separator, 1};
    if (!kdf3) {
      params[n++] = {kSp800108DkmLength, &length, sizeof length};
      params[n++] = {kSp800108IterationVariable, &counter, sizeof counter};
    }
    if (!context.empty()) params[n++] = {kSp800108ByteArray, context.data(), context.size()};
    kdf = {CKM_AES_CMAC, n, params.data(), 0, nullptr};
    return Mechanism{kCkmSp800108CounterKdf, &kdf, sizeof kdf};
  }
};

}  // namespace

Result<Bytes> Pkcs11Hsm::do_crypt(const KeyInfo& key, bool encrypt, CipherMode mode, ByteView iv,
                                  ByteView data) {
  const auto type = cipher_mechanism(key.spec.algorithm, mode);
  if (!type)
    return unsupported_error(fmt::format("pkcs11: no {} mechanism", to_string(key.spec.algorithm)));
  Bytes iv_block =
      iv.empty() ? Bytes(block_size(key.spec.algorithm), 0) : Bytes(iv.begin(), iv.end());
  Mechanism mechanism{*type, nullptr, 0};
  if (mode == CipherMode::cbc) mechanism = Mechanism{*type, iv_block.data(), iv_block.size()};
  auto lease = borrow();
  if (!lease) return lease.error();
  auto handle = handle_of(*lease, key);
  if (!handle) return handle.error();
  return cipher_with(*lease, *handle, mechanism, encrypt, data,
                     fmt::format("{} {} with key {}", encrypt ? "encrypt" : "decrypt",
                                 mechanism_name(*type), key.spec.name));
}

Result<Bytes> Pkcs11Hsm::cipher_with(Lease& lease, ObjectHandle key, Mechanism& mechanism,
                                     bool encrypt, ByteView data, const std::string& what) {
  const FunctionList& fn = lease.fn();
  Rv rv = encrypt ? fn.C_EncryptInit(lease.session(), &mechanism, key)
                  : fn.C_DecryptInit(lease.session(), &mechanism, key);
  if (rv != CKR_OK) return lease.fail(rv, what);
  Bytes out(data.size());
  unsigned long out_len = out.size();
  rv = encrypt ? fn.C_Encrypt(lease.session(), in(data), data.size(), out.data(), &out_len)
               : fn.C_Decrypt(lease.session(), in(data), data.size(), out.data(), &out_len);
  if (rv != CKR_OK) return lease.fail(rv, what);
  out.resize(out_len);
  return out;
}

Result<Bytes> Pkcs11Hsm::do_mac(const KeyInfo& key, MacMethod method, ByteView data) {
  if (method == MacMethod::retail_mac || method == MacMethod::des_k1_mac) {
    if (auto s = require(key.spec.algorithm,
                         method == MacMethod::retail_mac ? "retail_mac" : "des_k1_mac");
        !s)
      return s.error();
    return composed_des_mac(key, method, data);
  }
  const auto type = cmac_mechanism(key.spec.algorithm);
  if (!type)
    return unsupported_error(fmt::format("pkcs11: no CMAC for {}", to_string(key.spec.algorithm)));
  Mechanism mechanism{*type, nullptr, 0};
  auto lease = borrow();
  if (!lease) return lease.error();
  auto handle = handle_of(*lease, key);
  if (!handle) return handle.error();
  const std::string what = fmt::format("{} with key {}", mechanism_name(*type), key.spec.name);
  if (const Rv rv = lease->fn().C_SignInit(lease->session(), &mechanism, *handle); rv != CKR_OK)
    return lease->fail(rv, what);
  Bytes out(block_size(key.spec.algorithm));
  unsigned long out_len = out.size();
  if (const Rv rv =
          lease->fn().C_Sign(lease->session(), in(data), data.size(), out.data(), &out_len);
      rv != CKR_OK)
    return lease->fail(rv, what);
  out.resize(out_len);
  return out;
}

Result<KeyInfo> Pkcs11Hsm::do_derive(const KeyInfo& base, const Derivation& how, const KeySpec& out,
                                     bool persistent) {
  const auto type = key_type_of(out.algorithm);
  if (!type)
    return unsupported_error(
        fmt::format("pkcs11: {} keys cannot be derived", to_string(out.algorithm)));
  EncryptDataParams encrypt_data;
  Sp800108Params kdf;
  Mechanism mechanism{};
  if (const auto* e = std::get_if<EncryptDataDerivation>(&how)) {
    if (auto s = require(base.spec.algorithm, "derive_encrypt_data"); !s) return s.error();
    mechanism = encrypt_data.mechanism(*encrypt_data_mechanism(base.spec.algorithm, e->mode), *e,
                                       base.spec.algorithm);
  } else {
    if (auto s = require(base.spec.algorithm, "derive_sp800_108"); !s) return s.error();
    mechanism = kdf.mechanism(std::get<Sp800108CmacDerivation>(how));
  }
  std::lock_guard create(create_mutex_);
  auto lease = borrow();
  if (!lease) return lease.error();
  if (auto s = ensure_absent(*lease, out.name); !s) return s.error();
  auto base_handle = handle_of(*lease, base);
  if (!base_handle) return base_handle.error();
  // A persistent key needs its KCV in CKA_ID: it is made as a draft first.
  Template t;
  fill_key_template(t, KeyObject{&out, *type, persistent, out.exportable, true, "", persistent});
  ObjectHandle handle = CK_INVALID_HANDLE;
  if (const Rv rv = lease->fn().C_DeriveKey(lease->session(), &mechanism, *base_handle, t.data(),
                                            t.size(), &handle);
      rv != CKR_OK)
    return lease->fail(rv,
                       fmt::format("{} from key {} to key {}", mechanism_name(mechanism.mechanism),
                                   base.spec.name, out.name));
  std::optional<DesMacParts> parts;
  if (wants_des_mac_parts(base, how, out, persistent)) {
    auto made =
        derive_des_mac_parts(*lease, *base_handle, std::get<EncryptDataDerivation>(how), mechanism);
    if (!made) {
      destroy_quietly(*lease, handle);
      return made.error();
    }
    parts = *made;
  }
  auto info = finish_new_key(*lease, handle, out, persistent, std::nullopt, persistent);
  if (parts && info) {
    std::lock_guard lock(keys_mutex_);
    des_mac_parts_[out.name] = *parts;
  } else if (parts) {
    destroy_quietly(*lease, parts->k1);
    destroy_quietly(*lease, parts->full);
  }
  return info;
}

Result<CipherMode> Pkcs11Hsm::token_wrap_mode(const KeyInfo& wrapping_key, CipherMode mode,
                                              std::size_t value_length, std::string_view what) {
  const Algorithm algorithm = wrapping_key.spec.algorithm;
  const std::size_t block = block_size(algorithm);
  if (value_length % block != 0)
    return make_error(HsmError::invalid_argument,
                      fmt::format("a {}-byte {} cannot be wrapped under {} without padding",
                                  value_length, what, wrapping_key.spec.name));
  if (mode == CipherMode::ecb && value_length == block &&
      !capabilities_.missing(Requirement{algorithm, "wrap_cbc"}))
    mode = CipherMode::cbc;  // one block: CBC with a zero IV is ECB
  if (auto s = require(algorithm, mode == CipherMode::ecb ? "wrap_ecb" : "wrap_cbc"); !s)
    return s.error();
  return mode;
}

Result<Bytes> Pkcs11Hsm::wrap_object(Lease& lease, const KeyInfo& wrapping_key,
                                     CipherMode requested, ObjectHandle object,
                                     std::size_t value_length, std::string_view what) {
  const auto mode = token_wrap_mode(wrapping_key, requested, value_length, what);
  if (!mode) return mode.error();
  const Algorithm algorithm = wrapping_key.spec.algorithm;
  const std::size_t block = block_size(algorithm);
  Bytes iv(block, 0);
  const ck_mechanism_type_t type = *cipher_mechanism(algorithm, *mode);
  Mechanism mechanism{type, nullptr, 0};
  if (*mode == CipherMode::cbc) mechanism = Mechanism{type, iv.data(), iv.size()};
  auto wrapping_handle = handle_of(lease, wrapping_key);
  if (!wrapping_handle) return wrapping_handle.error();
  const std::string step = fmt::format("C_WrapKey {} of {} under {}", mechanism_name(type), what,
                                       wrapping_key.spec.name);
  Bytes out(value_length + block);
  unsigned long out_len = out.size();
  Rv rv = lease.fn().C_WrapKey(lease.session(), &mechanism, *wrapping_handle, object, out.data(),
                               &out_len);
  if (rv == CKR_BUFFER_TOO_SMALL) {
    out.resize(out_len);
    rv = lease.fn().C_WrapKey(lease.session(), &mechanism, *wrapping_handle, object, out.data(),
                              &out_len);
  }
  if (rv != CKR_OK) return lease.fail(rv, step);
  out.resize(out_len);
  return out;
}

Result<Bytes> Pkcs11Hsm::do_wrap(const KeyInfo& wrapping_key, CipherMode mode_requested,
                                 const KeyInfo& key) {
  auto lease = borrow();
  if (!lease) return lease.error();
  auto key_handle = handle_of(*lease, key);
  if (!key_handle) return key_handle.error();
  const std::string what = "key " + key.spec.name;
  const std::size_t length = key_length(key.spec.algorithm);
  if (!key.ephemeral) {
    // The token refuses it too (CKA_WRAP_WITH_TRUSTED); this names why, once
    // the token is known to be able to wrap at all.
    if (auto mode = token_wrap_mode(wrapping_key, mode_requested, length, what); !mode)
      return mode.error();
    auto wrapping_handle = handle_of(*lease, wrapping_key);
    if (!wrapping_handle) return wrapping_handle.error();
    auto trusted = is_trusted(*lease, *wrapping_handle);
    if (!trusted) return trusted.error();
    if (!*trusted)
      return make_error(HsmError::usage_not_permitted,
                        fmt::format("stored key {} leaves the token only under a wrap key the "
                                    "security officer made trusted (CKA_TRUSTED); {} is not",
                                    key.spec.name, wrapping_key.spec.name));
  }
  return wrap_object(*lease, wrapping_key, mode_requested, *key_handle, length, what);
}

Result<Bytes> Pkcs11Hsm::do_wrap_value(const KeyInfo& wrapping_key, const SecureBytes& value) {
  // The value becomes a short-lived secret object, wrapped like a key: the
  // wrap key needs no encrypt usage, and the value is never an argument of
  // a general-purpose encryption.
  auto lease = borrow();
  if (!lease) return lease.error();
  Template t;
  t.number(CKA_CLASS, CKO_SECRET_KEY)
      .number(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
      .flag(CKA_TOKEN, false)
      .flag(CKA_PRIVATE, true)
      .flag(CKA_SENSITIVE, true)
      .flag(CKA_EXTRACTABLE, true)
      .flag(CKA_MODIFIABLE, false)
      .bytes(CKA_VALUE, value.span());
  ObjectHandle object = CK_INVALID_HANDLE;
  if (const Rv rv = lease->fn().C_CreateObject(lease->session(), t.data(), t.size(), &object);
      rv != CKR_OK)
    return lease->fail(rv, "C_CreateObject for a PIN block");
  auto wrapped =
      wrap_object(*lease, wrapping_key, CipherMode::ecb, object, value.size(), "a PIN block");
  destroy_quietly(*lease, object);
  return wrapped;
}

Result<Bytes> Pkcs11Hsm::do_random(std::size_t length) {
  auto lease = borrow();
  if (!lease) return lease.error();
  Bytes out(length);
  if (const Rv rv = lease->fn().C_GenerateRandom(lease->session(), out.data(), out.size());
      rv != CKR_OK)
    return lease->fail(rv, "C_GenerateRandom");
  return out;
}

std::optional<bool> Pkcs11Hsm::probe_wrap(Algorithm algorithm, CipherMode mode) {
  // The wrapped key is one block long (AES-128 or 2-key 3DES), so that no
  // padding question arises.
  const Algorithm target = is_des(algorithm) ? Algorithm::des3_2key : Algorithm::aes128;
  const auto type = key_type_of(algorithm);
  const auto target_type = key_type_of(target);
  const auto keygen = keygen_mechanism(algorithm);
  const auto target_keygen = keygen_mechanism(target);
  if (!type || !keygen) return false;
  auto lease = borrow();
  if (!lease) return std::nullopt;
  const FunctionList& fn = lease->fn();
  const KeySpec wrapping_spec{"cardd.probe.wrapping", algorithm, {Usage::wrap}, 0};
  const KeySpec key_spec{"cardd.probe.key", target, {Usage::encrypt}, 0};
  Template wrapping_template, key_template;
  fill_key_template(wrapping_template, KeyObject{&wrapping_spec, *type, false, false, true, ""});
  fill_key_template(key_template, KeyObject{&key_spec, *target_type, false, true, true, ""});
  Mechanism generate{*keygen, nullptr, 0};
  Mechanism generate_target{*target_keygen, nullptr, 0};
  ObjectHandle wrapping = CK_INVALID_HANDLE, key = CK_INVALID_HANDLE;
  std::optional<bool> works;
  if (fn.C_GenerateKey(lease->session(), &generate, wrapping_template.data(),
                       wrapping_template.size(), &wrapping) == CKR_OK &&
      fn.C_GenerateKey(lease->session(), &generate_target, key_template.data(), key_template.size(),
                       &key) == CKR_OK) {
    Bytes iv(block_size(algorithm), 0);
    const ck_mechanism_type_t wrap_type = *cipher_mechanism(algorithm, mode);
    Mechanism wrap{wrap_type, nullptr, 0};
    if (mode == CipherMode::cbc) wrap = Mechanism{wrap_type, iv.data(), iv.size()};
    unsigned long length = 0;
    const Rv rv = fn.C_WrapKey(lease->session(), &wrap, wrapping, key, nullptr, &length);
    if (rv == CKR_OK) works = true;
    if (hsm_error_of(rv) == HsmError::mechanism_unsupported || rv == CKR_MECHANISM_PARAM_INVALID ||
        rv == CKR_ARGUMENTS_BAD)
      works = false;
  }
  destroy_quietly(*lease, key);
  destroy_quietly(*lease, wrapping);
  return works;
}

}  // namespace cardd::hsm::p11
