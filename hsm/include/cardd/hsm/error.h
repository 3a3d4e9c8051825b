// Errors of the hsm module, as a std::error_code category ("hsm"). Messages
// name keys and mechanisms, never key values.
#pragma once

#include <system_error>

namespace cardd::hsm {

enum class HsmError {
  key_not_found = 1,
  key_exists,             // a key of that name is already stored
  usage_not_permitted,    // e.g. a MAC key asked to encrypt
  mechanism_unsupported,  // the backend cannot do this algorithm/mode/derivation
  token_unavailable,      // module not loadable, token missing, session lost
  login_failed,           // wrong PIN / passphrase
  store_corrupt,          // keystore file damaged or truncated
  weak_key,               // weak, all-zero or repeated key material
  invalid_argument,       // wrong lengths, bad IV, bad input size
  io,                     // file cannot be read or written
  internal,
};

const std::error_category& hsm_category();
inline std::error_code make_error_code(HsmError e) { return {static_cast<int>(e), hsm_category()}; }

}  // namespace cardd::hsm

template <>
struct std::is_error_code_enum<cardd::hsm::HsmError> : std::true_type {};
