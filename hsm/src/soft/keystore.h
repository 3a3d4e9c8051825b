// The soft backend's key file. Layout (all integers big-endian):
//   "CARDDKS1" | u8 format=1 | u8 log2(N) | u32 r | u32 p | salt[16] | check[16]
//   | u32 count | records… | HMAC-SHA256[32] over everything before it
// record: u16 name length | name | u8 algorithm | u32 policy (pack_policy: usage, exportable, derive template) | u32 version
//   | kcv[6] | u16 wrapped length | key value wrapped with AES-256 key wrap
// scrypt(passphrase, salt, N, r, p) gives 64 bytes: the wrapping key and the
// HMAC key. `check` (HMAC of a fixed label) tells a wrong passphrase from a
// damaged file. Writes go to a temporary file, fsync, rename: a crash leaves
// the old file or the new one, never a mix.
#pragma once

#include <string>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"

namespace cardd::hsm {

struct StoredKey {
  KeyInfo info;
  SecureBytes value;
};

class Keystore {
 public:
  // Opens the file, or starts an empty store when it does not exist (written
  // on the first save). Errors: login_failed, store_corrupt, io.
  static Result<Keystore> open(const std::string& path, const SecureBytes& passphrase);

  const std::vector<StoredKey>& keys() const { return keys_; }
  // Replaces the whole content and writes the file atomically.
  Status save(const std::vector<const StoredKey*>& keys);

 private:
  Keystore() = default;
  std::string path_;
  std::vector<std::uint8_t> salt_;
  SecureBytes wrap_key_;
  SecureBytes mac_key_;
  std::vector<StoredKey> keys_;
};

}  // namespace cardd::hsm
