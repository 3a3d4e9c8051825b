// The soft backend's key file. Layout (all integers big-endian):
//   "CARDDKS1" | u8 format=2 | u8 log2(N) | u32 r | u32 p | salt[16] | check[16]
//   | SHA-256[32] of the 50 bytes before it
//   | u32 count | records… | HMAC-SHA256[32] over everything before it
// record: u16 name length | name | u8 algorithm | u32 policy (pack_policy: usage, exportable,
// derive template) | u32 version
//   | kcv[6] | u16 wrapped length | key value wrapped with AES-256 key wrap
// scrypt(passphrase, salt, N, r, p) gives 64 bytes: the wrapping key and the
// HMAC key. `check` (HMAC of a fixed label) tells a wrong passphrase from a
// damaged body; the unkeyed header checksum tells a damaged header (salt,
// KDF parameters, check) from a wrong passphrase. Format 1 (no header
// checksum) still opens. Files are replaced atomically (keystore_file.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "keystore_file.h"

namespace cardd::hsm {

struct StoredKey {
  KeyInfo info;
  SecureBytes value;
};

// Not thread-safe: one thread at a time (SoftHsm holds its mutex). Two
// Keystore objects on one file, in one process or two, lose no change:
// every change goes through update().
class Keystore {
 public:
  // Opens the file at `path`. A missing file is an error unless `create`:
  // then an empty store is written at once. With `create` an existing file is
  // simply opened. Errors: login_failed (wrong passphrase), store_corrupt
  // (damaged, truncated, or KDF parameters too weak), io (missing, a symbolic
  // link, readable or writable by group or others, unreadable).
  static Result<Keystore> open(const std::string& path, SecureBytes passphrase, bool create);

  const std::vector<StoredKey>& keys() const { return keys_; }

  // Re-reads the file, e.g. for a key another writer added. No lock: writes
  // are atomic renames, so a reader sees the old file or the new one.
  Status reload();

  // keys() is what the file holds now (no writer replaced it since): a
  // stat(2), safe from several threads at once.
  bool current() const;

  // One change: under the writers' lock, re-reads the file, applies `change`
  // to its keys and writes the result; keys() is then that result. When
  // `change` fails the file is left as it was and its error returned.
  Status update(const std::function<Status(std::vector<StoredKey>&)>& change);

 private:
  struct Kdf {
    std::uint8_t log2n = 0;
    std::uint32_t r = 0;
    std::uint32_t p = 0;
    std::vector<std::uint8_t> salt;
    bool operator==(const Kdf&) const = default;
  };

  Keystore() = default;
  Status load(std::span<const std::uint8_t> file);
  Status derive(const Kdf& kdf);
  Status write(const KeystoreLock& lock);

  std::string path_;
  SecureBytes passphrase_;  // kept to re-derive when another writer re-salted the file
  Kdf kdf_;                 // what wrap_key_ and mac_key_ were derived with
  SecureBytes wrap_key_;
  SecureBytes mac_key_;
  bool renew_kdf_ = false;  // the file's KDF or format is outdated: new salt at the next write
  std::vector<StoredKey> keys_;
  std::optional<FileIdentity> loaded_;  // the file keys_ came from, if keys_ is exactly it
};

}  // namespace cardd::hsm
