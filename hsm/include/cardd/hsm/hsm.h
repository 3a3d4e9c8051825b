// The one door to key material. Every key operation of cardd goes through an
// Hsm; key values never leave it in clear (only wrapped under another key).
//
// Public methods are final: they look the key up, enforce its usage, check
// lengths, count the operation, and only then call the backend's protected
// hook. Backends (soft: OpenSSL 3; pkcs11: any PKCS#11 token) implement the
// hooks and nothing else.
//
// Thread safety: all public methods may be called from several threads at
// once; backends serialise or pool internally.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/hsm/error.h"
#include "cardd/hsm/secure_bytes.h"
#include "cardd/hsm/types.h"

namespace cardd::hsm {

// One thing a configuration needs from the backend ("cmac with sm4").
struct Requirement {
  Algorithm algorithm = Algorithm::aes128;
  std::string operation;  // "generate", "ecb", "cbc", "cmac", "retail_mac", "des_k1_mac",
                          // "derive_encrypt_data", "derive_sp800_108", "wrap_ecb", "wrap_cbc",
                          // "unwrap_ecb" (import_wrapped)
  friend bool operator==(const Requirement&, const Requirement&) = default;
};

class Hsm {
 public:
  virtual ~Hsm() = default;
  Hsm(const Hsm&) = delete;
  Hsm& operator=(const Hsm&) = delete;

  virtual std::string_view backend() const = 0;

  // --- key management -------------------------------------------------------
  // Errors: key_exists, mechanism_unsupported, invalid_argument.
  Result<KeyInfo> generate(const KeySpec& spec);
  // Key ceremony: the key is the XOR of 2 or 3 clear components. Refused
  // (weak_key) when a component is weak, all zero or repeated, or when the
  // result is weak.
  Result<KeyInfo> import_components(const KeySpec& spec, std::span<const SecureBytes> components);
  // A key value encrypted (ECB) under the transport key `zmk` (usage unwrap).
  // `expected_kcv` (from the sender) is required and must match the
  // imported key's KCV, or nothing is imported.
  Result<KeyInfo> import_wrapped(const KeySpec& spec, ByteView wrapped, std::string_view zmk,
                                 std::string_view expected_kcv);
  Result<KeyInfo> info(std::string_view name);
  Result<std::vector<KeyInfo>> list();
  Status destroy(std::string_view name);

  // --- cryptography ---------------------------------------------------------
  // Data must be a multiple of the block size (no implicit padding); CBC
  // takes an IV of one block (empty = zeros).
  Result<Bytes> encrypt(std::string_view key, CipherMode mode, ByteView iv, ByteView data);
  Result<Bytes> decrypt(std::string_view key, CipherMode mode, ByteView iv, ByteView data);
  // Full-length MAC (8 bytes for 3DES, 16 for AES/SM4); callers truncate.
  Result<Bytes> mac(std::string_view key, MacMethod method, ByteView data);
  // Derives a key from `base` (usage derive) inside the HSM. Ephemeral keys
  // live until destroy() or until this Hsm is closed; persistent ones are
  // stored like generated keys.
  Result<KeyInfo> derive(std::string_view base, const Derivation& how, const KeySpec& out,
                         bool persistent = false);
  // The value of `key` encrypted under `wrapping_key` (usage wrap): what a
  // card receives. CBC uses a zero IV. Only exportable keys, never under
  // themselves, never under a weaker key (usage_not_permitted).
  Result<Bytes> wrap(std::string_view wrapping_key, CipherMode mode, std::string_view key);
  // The ISO 9564 format 2 PIN block of `pin` (4-12 ASCII digits), formed in
  // the HSM and encrypted (ECB) under `wrapping_key` (usage wrap): the PIN
  // travels like a key, and the wrap key needs no general encrypt usage.
  Result<Bytes> wrap_pin_block(std::string_view wrapping_key, const SecureBytes& pin);
  Result<Bytes> random(std::size_t length);

  // --- operations -----------------------------------------------------------
  // Per key and usage; the ephemeral (session) keys together, under
  // kSessionKeysCount.
  std::vector<UsageCount> usage_counts() const;
  static inline const std::string kSessionKeysCount = "(session keys)";
  // The requirements this backend cannot meet (empty: all supported).
  virtual std::vector<Requirement> unsupported(std::span<const Requirement> needed) const = 0;

 protected:
  Hsm() = default;

  // Hooks. Arguments are already checked: the key exists, its usage allows
  // the call, lengths fit the algorithm.
  virtual Result<KeyInfo> do_generate(const KeySpec& spec) = 0;
  virtual Result<KeyInfo> do_import(const KeySpec& spec, const SecureBytes& value) = 0;
  virtual Result<KeyInfo> do_import_wrapped(const KeySpec& spec, ByteView wrapped,
                                            const KeyInfo& zmk) = 0;
  virtual Result<KeyInfo> do_find(std::string_view name) = 0;  // key_not_found when absent
  virtual Result<std::vector<KeyInfo>> do_list() = 0;
  virtual Status do_destroy(const KeyInfo& key) = 0;
  virtual Result<Bytes> do_crypt(const KeyInfo& key, bool encrypt, CipherMode mode, ByteView iv,
                                 ByteView data) = 0;
  virtual Result<Bytes> do_mac(const KeyInfo& key, MacMethod method, ByteView data) = 0;
  virtual Result<KeyInfo> do_derive(const KeyInfo& base, const Derivation& how, const KeySpec& out,
                                    bool persistent) = 0;
  virtual Result<Bytes> do_wrap(const KeyInfo& wrapping_key, CipherMode mode,
                                const KeyInfo& key) = 0;
  // ECB-encrypts a transient secret of one block or more (a PIN block) under
  // the wrapping key, as a key would be wrapped.
  virtual Result<Bytes> do_wrap_value(const KeyInfo& wrapping_key, const SecureBytes& value) = 0;
  virtual Result<Bytes> do_random(std::size_t length) = 0;

 private:
  Result<KeyInfo> checked_key(std::string_view name, Usage usage);
  void count(const KeyInfo& key, Usage usage);

  mutable std::mutex counts_mutex_;
  std::map<std::pair<std::string, Usage>, std::uint64_t> counts_;
  // Session keys carry nearly every operation of an encoding session: their
  // counters take no lock (one per usage bit), so slots do not queue on it.
  std::array<std::atomic<std::uint64_t>, 6> session_counts_{};
};

// --- helpers for clear key material (key ceremony), computed in this module --

// GlobalPlatform KCV: DES keys encrypt 8 zero bytes, AES/SM4 keys 16 bytes of
// 0x01; the first 3 bytes as upper-case hex.
Result<std::string> kcv_of(Algorithm algorithm, const SecureBytes& value);
// weak_key for all-zero values and DES weak/semi-weak key parts.
Status check_key_strength(Algorithm algorithm, const SecureBytes& value);
// Sets DES odd parity (no-op for other algorithms).
void fix_parity(Algorithm algorithm, SecureBytes& value);
// Parses hex (spaces allowed) into key bytes of the algorithm's length.
Result<SecureBytes> parse_key_hex(Algorithm algorithm, std::string_view hex);
bool valid_key_name(std::string_view name);

}  // namespace cardd::hsm
