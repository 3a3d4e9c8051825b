// Opens the configured backend. Secrets (keystore passphrase, token PIN) come
// from an environment variable or a file, never from the command line.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"

namespace cardd::hsm {

// The soft backend is for development and tests; production keys belong in
// a PKCS#11 HSM. The keystore and the passphrase file must be private files
// (no access for group or others, not symbolic links).
struct SoftConfig {
  std::string keystore_path;
  // A missing keystore is an error unless set: then an empty one is created.
  // An existing keystore is opened either way.
  bool create = false;
  std::string passphrase_env = "CARDD_KEYSTORE_PASSPHRASE";
  std::string passphrase_file;  // used when set, instead of the variable
};

struct Pkcs11Config {
  std::string module_path = "/usr/lib/softhsm/libsofthsm2.so";
  std::string token_label = "cardd";
  std::string pin_env = "CARDD_HSM_PIN";
  std::string pin_file;      // used when set, instead of the variable
  std::size_t sessions = 4;  // pooled for concurrent workers
};

struct HsmConfig {
  std::string backend = "soft";  // "soft" | "pkcs11"
  SoftConfig soft;
  Pkcs11Config pkcs11;
  // What the configuration (card profiles) will ask of the HSM. open_hsm()
  // names every one the backend cannot do, at start-up, in a warning; the
  // calls themselves later fail with mechanism_unsupported — never a silent
  // fallback.
  std::vector<Requirement> required;
};

// "sm4 ecb, 3des-2key retail_mac" — empty when everything is supported.
std::string describe_unsupported(const Hsm& hsm, std::span<const Requirement> required);

// Makes the process non-dumpable first (no core dumps of key memory, no
// ptrace by other processes of the same user), whichever backend.
// Errors: token_unavailable, login_failed, store_corrupt, io, invalid_argument.
Result<std::unique_ptr<Hsm>> open_hsm(const HsmConfig& config);

// Reads a secret from `file` (first line) when set, else from the variable.
// The file must be private: a symbolic link or a file group or others may
// read or write is refused (io, naming the file and its mode).
Result<SecureBytes> read_secret(const std::string& env_name, const std::string& file);

}  // namespace cardd::hsm
