#include "soft_hsm.h"

#include <fmt/format.h>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <type_traits>

#include "crypto/block_cipher.h"
#include "keystore.h"

namespace cardd::hsm {
namespace {

class SoftHsm final : public Hsm {
 public:
  explicit SoftHsm(Keystore store) : store_(std::move(store)) { take_stored_keys(); }

  std::string_view backend() const override { return "soft"; }

  std::vector<Requirement> unsupported(std::span<const Requirement> needed) const override {
    std::vector<Requirement> out;
    for (const Requirement& r : needed)
      if (!can_do(r) || !cipher_available(r.algorithm)) out.push_back(r);
    return out;
  }

 protected:
  Result<KeyInfo> do_generate(const KeySpec& spec) override {
    while (true) {
      auto value = crypto::random_bytes(key_length(spec.algorithm));
      if (!value) return value.error();
      fix_parity(spec.algorithm, *value);
      if (check_key_strength(spec.algorithm, *value)) return add(spec, std::move(*value), true);
    }
  }

  Result<KeyInfo> do_import(const KeySpec& spec, const SecureBytes& value) override {
    return add(spec, value.clone(), true);
  }

  Result<KeyInfo> do_import_wrapped(const KeySpec& spec, ByteView wrapped,
                                    const KeyInfo& zmk) override {
    auto transport = value_of(zmk.spec.name);
    if (!transport) return transport.error();
    auto clear =
        crypto::crypt(zmk.spec.algorithm, **transport, false, CipherMode::ecb, {}, wrapped);
    if (!clear) return clear.error();
    SecureBytes value(std::span(clear->data(), key_length(spec.algorithm)));
    std::fill(clear->begin(), clear->end(), 0);
    if (auto s = check_key_strength(spec.algorithm, value); !s) return s.error();
    return add(spec, std::move(value), true);
  }

  Result<KeyInfo> do_find(std::string_view name) override {
    const auto absent = [&] {
      return make_error(HsmError::key_not_found, fmt::format("no key {}", name));
    };
    {
      // Every key operation starts here: readers share the lock. So does a
      // name that is absent while the file is unchanged (every derivation
      // checks its output name): taking the writers' lock for it made two
      // encoding sessions slower than one.
      std::shared_lock read(mutex_);
      if (auto info = lookup(name, info_of)) return *info;
      if (store_.current()) return absent();
    }
    std::lock_guard lock(mutex_);
    if (auto info = lookup(name, info_of)) return *info;
    // Another writer (process or Hsm object) may have added it since.
    if (auto s = store_.reload(); !s) return s.error();
    take_stored_keys();
    if (auto info = lookup(name, info_of)) return *info;
    return absent();
  }

  Result<std::vector<KeyInfo>> do_list() override {
    std::lock_guard lock(mutex_);
    if (auto s = store_.reload(); !s) return s.error();
    take_stored_keys();
    std::vector<KeyInfo> out;
    for (const auto& [name, entry] : keys_) out.push_back(entry.info);
    for (Shard& shard : sessions_) {
      std::lock_guard session_lock(shard.mutex);
      for (const auto& [name, entry] : shard.keys) out.push_back(entry.info);
    }
    return out;
  }

  Status do_destroy(const KeyInfo& key) override {
    Value dying;  // freed after the lock is released: freeing locked memory is a syscall
    if (key.ephemeral) {
      Shard& shard = shard_of(key.spec.name);
      std::lock_guard lock(shard.mutex);
      if (auto it = shard.keys.find(key.spec.name); it != shard.keys.end()) {
        dying = std::move(it->second.value);
        shard.keys.erase(it);
      }
      return {};
    }
    std::lock_guard lock(mutex_);
    auto s = store_.update([&](std::vector<StoredKey>& keys) -> Status {
      std::erase_if(keys, [&](const StoredKey& k) { return k.info.spec.name == key.spec.name; });
      return {};
    });
    take_stored_keys();
    return s;
  }

  Result<Bytes> do_crypt(const KeyInfo& key, bool encrypt, CipherMode mode, ByteView iv,
                         ByteView data) override {
    auto value = value_of(key.spec.name);
    if (!value) return value.error();
    return crypto::crypt(key.spec.algorithm, **value, encrypt, mode, iv, data);
  }

  Result<Bytes> do_mac(const KeyInfo& key, MacMethod method, ByteView data) override {
    auto value = value_of(key.spec.name);
    if (!value) return value.error();
    if (method == MacMethod::retail_mac) return crypto::retail_mac(**value, data);
    if (method == MacMethod::des_k1_mac) return crypto::des_k1_mac(**value, data);
    return crypto::cmac(key.spec.algorithm, **value, data);
  }

  Result<KeyInfo> do_derive(const KeyInfo& base, const Derivation& how, const KeySpec& out,
                            bool persistent) override {
    auto base_value = value_of(base.spec.name);
    if (!base_value) return base_value.error();
    const std::size_t length = key_length(out.algorithm);
    SecureBytes derived;
    if (const auto* e = std::get_if<EncryptDataDerivation>(&how)) {
      auto block = crypto::crypt(base.spec.algorithm, **base_value, true, e->mode, e->iv, e->data);
      if (!block) return block.error();
      derived = SecureBytes(std::span(block->data(), length));
      std::fill(block->begin(), block->end(), 0);
    } else {
      const auto& kdf = std::get<Sp800108CmacDerivation>(how);
      auto keys = crypto::sp800_108_cmac(base.spec.algorithm, **base_value, kdf.constant,
                                         kdf.context, length, kdf.layout);
      if (!keys) return keys.error();
      derived = std::move(*keys);
    }
    // Tokens give derived DES keys odd parity (SoftHSM does); so do we, so
    // that a wrapped key is the same bytes whichever backend made it.
    fix_parity(out.algorithm, derived);
    return add(out, std::move(derived), persistent);
  }

  Result<Bytes> do_wrap(const KeyInfo& wrapping, CipherMode mode, const KeyInfo& key) override {
    auto wrapping_value = value_of(wrapping.spec.name);
    auto key_value = value_of(key.spec.name);
    if (!wrapping_value) return wrapping_value.error();
    if (!key_value) return key_value.error();
    if ((*key_value)->size() % block_size(wrapping.spec.algorithm) != 0)
      return make_error(HsmError::invalid_argument,
                        fmt::format("a {} key cannot be wrapped block-wise under {}",
                                    to_string(key.spec.algorithm), wrapping.spec.name));
    return crypto::crypt(wrapping.spec.algorithm, **wrapping_value, true, mode, {},
                         (*key_value)->span());
  }

  Result<Bytes> do_wrap_value(const KeyInfo& wrapping, const SecureBytes& value) override {
    auto wrapping_value = value_of(wrapping.spec.name);
    if (!wrapping_value) return wrapping_value.error();
    return crypto::crypt(wrapping.spec.algorithm, **wrapping_value, true, CipherMode::ecb, {},
                         value.span());
  }

  Result<Bytes> do_random(std::size_t length) override {
    auto bytes = crypto::random_bytes(length);
    if (!bytes) return bytes.error();
    return Bytes(bytes->data(), bytes->data() + bytes->size());
  }

 private:
  // Key values never change once made: operations share the stored value
  // instead of copying it, so a key operation takes the lock only to find
  // the key (a copy would allocate locked memory under the lock: mlock and
  // madvise serialise every thread on the process's memory map).
  using Value = std::shared_ptr<const SecureBytes>;
  struct Entry {
    KeyInfo info;
    Value value;
  };
  // Session keys (never in the file), in shards with a lock each: every
  // card's session adds and destroys a dozen, and under the persistent
  // keys' lock those writes kept the other slots' lookups waiting (perf
  // sched: ~9% of two encoding workers' time in bench_pipeline).
  struct Shard {
    std::mutex mutex;
    std::map<std::string, Entry, std::less<>> keys;
  };

  static bool can_do(const Requirement& r) {
    const bool des = is_des(r.algorithm);
    if (r.operation == "retail_mac" || r.operation == "des_k1_mac") return des;
    if (r.operation == "derive_sp800_108") return !des;
    return known(r.operation);
  }

  static bool known(const std::string& operation) {
    for (const char* op :
         {"generate", "ecb", "cbc", "cmac", "derive_encrypt_data", "wrap_ecb", "wrap_cbc"})
      if (operation == op) return true;
    return false;
  }

  static bool cipher_available(Algorithm a) {
    const SecureBytes probe(key_length(a));
    SecureBytes key = probe.clone();
    key[0] = 1;
    return crypto::crypt(a, key, true, CipherMode::ecb, {}, Bytes(block_size(a), 0)).ok();
  }

  // The key's value, shared: no lock is held while the cipher runs, and a
  // key destroyed meanwhile lives until the operation ends.
  Result<Value> value_of(const std::string& name) {
    std::shared_lock lock(mutex_);
    auto value = lookup(name, [](const Entry& e) { return e.value; });
    if (!value) return make_error(HsmError::key_not_found, fmt::format("no key {}", name));
    return std::move(*value);
  }

  static KeyInfo info_of(const Entry& e) { return e.info; }

  // Under mutex_, shared or not: `take` of the persistent key `name`, else of
  // the session key (under its shard's lock); only what the caller needs is
  // copied, on every key operation.
  template <typename Take>
  auto lookup(std::string_view name, Take take)
      -> std::optional<std::invoke_result_t<Take, const Entry&>> {
    if (const auto it = keys_.find(name); it != keys_.end()) return take(it->second);
    Shard& shard = shard_of(name);
    std::lock_guard lock(shard.mutex);
    if (const auto it = shard.keys.find(name); it != shard.keys.end()) return take(it->second);
    return std::nullopt;
  }

  Shard& shard_of(std::string_view name) {
    return sessions_[std::hash<std::string_view>{}(name) % sessions_.size()];
  }

  Result<KeyInfo> add(const KeySpec& spec, SecureBytes value, bool persistent) {
    auto kcv = kcv_of(spec.algorithm, value);
    if (!kcv) return kcv.error();
    KeyInfo info{spec, *kcv, !persistent};
    // Allocated before any lock: every other slot's key operations wait on
    // the lock that is held.
    Value shared = persistent ? nullptr : std::make_shared<const SecureBytes>(std::move(value));
    const auto exists = [&] {
      return make_error(HsmError::key_exists, fmt::format("key {} exists", spec.name));
    };
    if (!persistent) {
      std::shared_lock read(mutex_);  // no persistent key takes the name meanwhile
      if (keys_.count(spec.name) != 0) return exists();
      Shard& shard = shard_of(spec.name);
      std::lock_guard lock(shard.mutex);
      if (!shard.keys.emplace(spec.name, Entry{info, std::move(shared)}).second) return exists();
      return info;
    }
    std::lock_guard lock(mutex_);
    if (lookup(spec.name, [](const Entry&) { return true; })) return exists();
    // Re-read, add, write under the writers' lock: a key another writer
    // added meanwhile is kept, and a name it took is refused.
    auto s = store_.update([&](std::vector<StoredKey>& keys) -> Status {
      for (const StoredKey& k : keys)
        if (k.info.spec.name == spec.name) return exists();
      keys.push_back(StoredKey{info, value.clone()});
      return {};
    });
    take_stored_keys();
    if (!s) return s.error();
    return info;
  }

  // The persistent keys as the keystore last read them.
  void take_stored_keys() {
    keys_.clear();
    for (const StoredKey& k : store_.keys())
      keys_.emplace(k.info.spec.name,
                    Entry{k.info, std::make_shared<const SecureBytes>(k.value.clone())});
  }

  std::shared_mutex mutex_;  // shared: lookups; exclusive: adding, removing, reloading
  Keystore store_;
  std::map<std::string, Entry, std::less<>> keys_;  // persistent
  std::array<Shard, 16> sessions_;                  // ephemeral
};

}  // namespace

Result<std::unique_ptr<Hsm>> open_soft_hsm(const std::string& keystore_path, SecureBytes passphrase,
                                           bool create) {
  auto store = Keystore::open(keystore_path, std::move(passphrase), create);
  if (!store) return store.error();
  return std::unique_ptr<Hsm>(std::make_unique<SoftHsm>(std::move(*store)));
}

}  // namespace cardd::hsm
