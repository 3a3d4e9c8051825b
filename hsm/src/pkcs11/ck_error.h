// CK_RV → HsmError, in one place. Messages carry the CKR_ name and what was
// being done, never key values or PINs.
#pragma once

#include <string_view>

#include "cardd/common/result.h"
#include "cardd/hsm/error.h"
#include "pkcs11/cryptoki.h"

namespace cardd::hsm::p11 {

// "CKR_PIN_INCORRECT", or "CKR_0x..." for codes this table does not know.
std::string ck_rv_name(Rv rv);
HsmError hsm_error_of(Rv rv);
// An Error whose message is "<what>: <CKR name>".
Error ck_error(Rv rv, std::string_view what);
// True when the session itself is gone or unusable (it must be replaced).
bool session_lost(Rv rv);

}  // namespace cardd::hsm::p11
