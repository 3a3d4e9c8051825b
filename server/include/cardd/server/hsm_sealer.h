// The one sealer for personal data at rest (db/sealer.h), over the HSM:
// AES-256-CBC with a random IV, then AES-CMAC over header, IV, ciphertext and
// the associated data (encrypt-then-MAC, the tag compared in constant time).
// The header carries the key version, so the storage keys can be rotated:
// new values are sealed under the newest version, older ones still open.
// Keyed hashes (lookups by ID number or name, PAN uniqueness) are CMACs under
// a key of their own. No key ever leaves the HSM.
//
// Storage keys are created by the operator (`cardctl keys init-storage`),
// never silently on first use.
//
// Thread safety: as the Hsm (all calls may come from several threads).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/sealer.h"
#include "cardd/hsm/hsm.h"

namespace cardd::server {

// "cardd.storage.enc" (version 1), "cardd.storage.enc.v2", ...
std::string storage_key_name(std::string_view role, std::uint16_t version);
inline constexpr const char* kLookupKey = "cardd.storage.lookup";

// Creates the storage keys in the HSM: version 1 and the lookup key when
// there are none, else (rotate) the next version; the lookup key alone for
// an HSM that holds an older cardd's storage keys. Returns the keys created,
// for the operator to see names and KCVs. Errors: key_exists (keys are there
// and rotate is false), the HSM's.
Result<std::vector<hsm::KeyInfo>> create_storage_keys(hsm::Hsm& hsm, bool rotate);

class HsmSealer final : public db::Sealer {
 public:
  // Finds the newest key version. Error key_not_found, naming the command
  // that creates them, when the HSM holds no storage keys.
  static Result<std::unique_ptr<HsmSealer>> open(hsm::Hsm& hsm);

  Result<std::string> seal(std::string_view plain, std::string_view associated_data) override;
  // Errors: db.unsealable for a value that was altered, bound to other data
  // or sealed under keys this HSM does not hold; the HSM's.
  Result<std::string> open(std::string_view sealed, std::string_view associated_data) override;
  Result<std::string> keyed_hash(std::string_view kind, std::string_view value) override;

  std::uint16_t key_version() const { return version_; }

  // Only open() can make the key, so only open() constructs a sealer.
  class Key {
    friend class HsmSealer;
    Key() = default;
  };
  HsmSealer(Key, hsm::Hsm& hsm, std::uint16_t version) : hsm_(&hsm), version_(version) {}

 private:
  Result<std::string> open_legacy(std::string_view sealed);
  hsm::Hsm* hsm_;
  std::uint16_t version_;
};

}  // namespace cardd::server
