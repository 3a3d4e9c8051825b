#include "pkcs11/pkcs11_hsm.h"
namespace cardd::hsm {
Result<std::unique_ptr<Hsm>> open_pkcs11_hsm(const Pkcs11Config&, SecureBytes) {
  return make_error(HsmError::token_unavailable, "PKCS#11 backend not built yet");
}
}  // namespace cardd::hsm
