#include "pkcs11/pkcs11_hsm.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "pkcs11/ck_error.h"
#include "pkcs11/module.h"
#include "pkcs11/pkcs11_hsm_impl.h"

namespace cardd::hsm {
namespace p11 {

Pkcs11Hsm::Pkcs11Hsm(std::unique_ptr<SessionPool> pool)
    : pool_(std::move(pool)),
      capabilities_(pool_->fn(), pool_->slot(),
                    [this](Algorithm a, CipherMode m) { return probe_wrap(a, m); }) {}

std::vector<Requirement> Pkcs11Hsm::unsupported(std::span<const Requirement> needed) const {
  std::vector<Requirement> out;
  for (const Requirement& r : needed) {
    if (auto why = capabilities_.missing(r)) {
      spdlog::debug("pkcs11: {} {} unsupported: {}", to_string(r.algorithm), r.operation, *why);
      out.push_back(r);
    }
  }
  return out;
}

Result<Lease> Pkcs11Hsm::borrow() {
  auto lease = pool_->borrow();
  if (!lease) return lease;
  // Every call comes here: the lock only when the token came back.
  if (pool_->epoch() == epoch_.load()) return lease;
  std::lock_guard lock(keys_mutex_);
  if (const auto epoch = pool_->epoch(); epoch != epoch_.load()) {
    if (!ephemeral_.empty())
      spdlog::warn("pkcs11: {} ephemeral keys went with the token's sessions", ephemeral_.size());
    ephemeral_.clear();
    handles_.clear();
    des_mac_parts_.clear();
    epoch_ = epoch;
  }
  return lease;
}

Status Pkcs11Hsm::require(Algorithm algorithm, const char* operation) const {
  if (auto why = capabilities_.missing(Requirement{algorithm, operation}))
    return make_error(HsmError::mechanism_unsupported,
                      fmt::format("pkcs11: {} {}: {}", to_string(algorithm), operation, *why));
  return {};
}

Status Pkcs11Hsm::ensure_absent(Lease& lease, const std::string& name) {
  {
    std::lock_guard lock(keys_mutex_);
    if (ephemeral_.contains(name))
      return make_error(HsmError::key_exists, fmt::format("key {} exists", name));
  }
  auto found = find_keys(lease, name);
  if (!found) return found.error();
  if (!found->empty()) return make_error(HsmError::key_exists, fmt::format("key {} exists", name));
  return {};
}

Result<ObjectHandle> Pkcs11Hsm::handle_of(Lease& lease, const KeyInfo& key) {
  const std::string& name = key.spec.name;
  {
    std::lock_guard lock(keys_mutex_);
    if (key.ephemeral) {
      const auto it = ephemeral_.find(name);
      if (it == ephemeral_.end())
        return make_error(HsmError::key_not_found, fmt::format("key {} not found", name));
      return it->second.handle;
    }
    if (const auto it = handles_.find(name); it != handles_.end()) return it->second;
  }
  auto found = find_keys(lease, name);
  if (!found) return found.error();
  if (found->empty()) {
    if (auto s = lease.check_token(); !s) return s.error();
  }
  if (found->size() != 1)
    return make_error(HsmError::key_not_found, fmt::format("key {} not found", name));
  std::lock_guard lock(keys_mutex_);
  handles_[name] = found->front();
  return found->front();
}

Result<KeyInfo> Pkcs11Hsm::finish_new_key(Lease& lease, ObjectHandle handle, const KeySpec& spec,
                                          bool on_token, std::optional<std::string> kcv,
                                          bool draft) {
  if (!kcv && (draft || spec.usage.allows(Usage::encrypt))) {
    auto computed = token_kcv(lease, handle, spec.algorithm);
    if (!computed) {
      destroy_quietly(lease, handle);
      return computed.error();
    }
    kcv = std::move(*computed);
  }
  if (draft) {
    const std::string id = encode_id(spec, kcv.value_or(""));
    Template t;
    fill_final_template(t, KeyObject{&spec, {}, on_token, spec.exportable, false, id});
    ObjectHandle final_handle = CK_INVALID_HANDLE;
    const Rv rv =
        lease.fn().C_CopyObject(lease.session(), handle, t.data(), t.size(), &final_handle);
    destroy_quietly(lease, handle);
    if (rv != CKR_OK) return lease.fail(rv, fmt::format("C_CopyObject for key {}", spec.name));
    handle = final_handle;
  }
  KeyInfo info{spec, kcv.value_or(""), !on_token};
  std::lock_guard lock(keys_mutex_);
  if (on_token) {
    handles_[spec.name] = handle;
  } else {
    ephemeral_[spec.name] = StoredKey{info, handle};
  }
  return info;
}

Result<KeyInfo> Pkcs11Hsm::do_generate(const KeySpec& spec) {
  if (auto s = require(spec.algorithm, "generate"); !s) return s.error();
  std::lock_guard create(create_mutex_);
  auto lease = borrow();
  if (!lease) return lease.error();
  if (auto s = ensure_absent(*lease, spec.name); !s) return s.error();
  Template t;
  fill_key_template(
      t, KeyObject{&spec, *key_type_of(spec.algorithm), true, spec.exportable, true, "", true});
  Mechanism mechanism{*keygen_mechanism(spec.algorithm), nullptr, 0};
  ObjectHandle handle = CK_INVALID_HANDLE;
  if (const Rv rv =
          lease->fn().C_GenerateKey(lease->session(), &mechanism, t.data(), t.size(), &handle);
      rv != CKR_OK)
    return lease->fail(rv, fmt::format("C_GenerateKey {} for key {}",
                                       mechanism_name(mechanism.mechanism), spec.name));
  return finish_new_key(*lease, handle, spec, true, std::nullopt, true);
}

Result<KeyInfo> Pkcs11Hsm::do_import(const KeySpec& spec, const SecureBytes& value) {
  const auto type = key_type_of(spec.algorithm);
  if (!type)
    return make_error(HsmError::mechanism_unsupported,
                      fmt::format("pkcs11: {} keys: PKCS#11 has no standard key type",
                                  to_string(spec.algorithm)));
  auto kcv = kcv_of(spec.algorithm, value);  // the ceremony's clear value is at hand
  if (!kcv) return kcv.error();
  std::lock_guard create(create_mutex_);
  auto lease = borrow();
  if (!lease) return lease.error();
  if (auto s = ensure_absent(*lease, spec.name); !s) return s.error();
  Template t;
  const std::string id = encode_id(spec, *kcv);
  fill_key_template(t, KeyObject{&spec, *type, true, spec.exportable, false, id});
  t.bytes(CKA_VALUE, value.span());  // referenced, not copied
  ObjectHandle handle = CK_INVALID_HANDLE;
  if (const Rv rv = lease->fn().C_CreateObject(lease->session(), t.data(), t.size(), &handle);
      rv != CKR_OK)
    return lease->fail(
        rv, fmt::format("C_CreateObject for key {} ({})", spec.name, to_string(spec.algorithm)));
  return finish_new_key(*lease, handle, spec, true, std::move(*kcv), false);
}

Result<KeyInfo> Pkcs11Hsm::do_import_wrapped(const KeySpec& spec, ByteView wrapped,
                                             const KeyInfo& zmk) {
  if (auto s = require(zmk.spec.algorithm, "unwrap_ecb"); !s) return s.error();
  const auto type = key_type_of(spec.algorithm);
  if (!type)
    return make_error(HsmError::mechanism_unsupported,
                      fmt::format("pkcs11: {} keys: PKCS#11 has no standard key type",
                                  to_string(spec.algorithm)));
  std::lock_guard create(create_mutex_);
  auto lease = borrow();
  if (!lease) return lease.error();
  if (auto s = ensure_absent(*lease, spec.name); !s) return s.error();
  auto zmk_handle = handle_of(*lease, zmk);
  if (!zmk_handle) return zmk_handle.error();
  Template t;
  fill_key_template(t, KeyObject{&spec, *type, true, spec.exportable, true, "", true});
  Mechanism mechanism{*cipher_mechanism(zmk.spec.algorithm, CipherMode::ecb), nullptr, 0};
  ObjectHandle handle = CK_INVALID_HANDLE;
  const Rv rv = lease->fn().C_UnwrapKey(lease->session(), &mechanism, *zmk_handle,
                                        const_cast<std::uint8_t*>(wrapped.data()), wrapped.size(),
                                        t.data(), t.size(), &handle);
  if (rv != CKR_OK)
    return lease->fail(rv, fmt::format("C_UnwrapKey of key {} under {}", spec.name, zmk.spec.name));
  return finish_new_key(*lease, handle, spec, true, std::nullopt, true);
}

Result<KeyInfo> Pkcs11Hsm::do_find(std::string_view name) {
  {
    std::lock_guard lock(keys_mutex_);
    if (const auto it = ephemeral_.find(name); it != ephemeral_.end()) return it->second.info;
  }
  auto lease = borrow();
  if (!lease) return lease.error();
  auto found = find_keys(*lease, name);
  if (!found) return found.error();
  if (found->empty()) {
    if (auto s = lease->check_token(); !s) return s.error();
    return make_error(HsmError::key_not_found, fmt::format("key {} not found", name));
  }
  if (found->size() > 1)
    return make_error(HsmError::store_corrupt,
                      fmt::format("{} key objects are labelled {}", found->size(), name));
  auto key = read_key(*lease, found->front());
  if (!key) return key.error();
  if (!*key)
    return make_error(HsmError::store_corrupt,
                      fmt::format("the object labelled {} is not a usable key", name));
  std::lock_guard lock(keys_mutex_);
  handles_[std::string(name)] = (*key)->handle;
  return (*key)->info;
}

Result<std::vector<KeyInfo>> Pkcs11Hsm::do_list() {
  std::vector<KeyInfo> out;
  {
    auto lease = borrow();
    if (!lease) return lease.error();
    auto found = find_keys(*lease, std::nullopt);
    if (!found) return found.error();
    if (found->empty()) {
      if (auto s = lease->check_token(); !s) return s.error();
    }
    for (const ObjectHandle handle : *found) {
      auto key = read_key(*lease, handle);
      if (!key) return key.error();
      if (*key) {
        out.push_back((*key)->info);
      } else {
        spdlog::debug("pkcs11: object {} is not a key cardd can use; not listed", handle);
      }
    }
  }
  {
    std::lock_guard lock(keys_mutex_);
    for (const auto& [name, key] : ephemeral_) out.push_back(key.info);
  }
  std::sort(out.begin(), out.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.spec.name < b.spec.name; });
  return out;
}

Status Pkcs11Hsm::do_destroy(const KeyInfo& key) {
  auto lease = borrow();
  if (!lease) return lease.error();
  auto handle = handle_of(*lease, key);
  if (!handle) return handle.error();
  if (const Rv rv = lease->fn().C_DestroyObject(lease->session(), *handle); rv != CKR_OK)
    return lease->fail(rv, fmt::format("C_DestroyObject of key {}", key.spec.name));
  forget_des_mac_parts(*lease, key.spec.name);
  std::lock_guard lock(keys_mutex_);
  ephemeral_.erase(key.spec.name);
  handles_.erase(key.spec.name);
  return {};
}

}  // namespace p11

Result<std::unique_ptr<Hsm>> open_pkcs11_hsm(const Pkcs11Config& config) {
  auto module = p11::Module::open(config.module_path);
  if (!module) return module.error();
  auto pool = p11::SessionPool::open(*module, config.token_label, config.sessions, [config] {
    return read_secret(config.pin_env, config.pin_file);
  });
  if (!pool) return pool.error();
  spdlog::info("pkcs11: token '{}' (slot {}) of {} open, {} sessions", config.token_label,
               (*pool)->slot(), (*module)->path(), config.sessions);
  return std::unique_ptr<Hsm>(std::make_unique<p11::Pkcs11Hsm>(std::move(*pool)));
}

}  // namespace cardd::hsm
