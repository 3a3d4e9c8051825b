#include "pkcs11/ck_error.h"

#include <fmt/format.h>

#include <string>

namespace cardd::hsm::p11 {
namespace {

struct Known {
  Rv rv;
  const char* name;
  HsmError error;
};

#define CARDD_CKR(code, error) \
  Known { code, #code, HsmError::error }
constexpr Known kKnown[] = {
    CARDD_CKR(CKR_CANCEL, internal),
    CARDD_CKR(CKR_HOST_MEMORY, internal),
    CARDD_CKR(CKR_SLOT_ID_INVALID, token_unavailable),
    CARDD_CKR(CKR_GENERAL_ERROR, internal),
    CARDD_CKR(CKR_FUNCTION_FAILED, internal),
    CARDD_CKR(CKR_ARGUMENTS_BAD, invalid_argument),
    CARDD_CKR(CKR_NO_EVENT, internal),
    CARDD_CKR(CKR_NEED_TO_CREATE_THREADS, internal),
    CARDD_CKR(CKR_CANT_LOCK, internal),
    CARDD_CKR(CKR_ATTRIBUTE_READ_ONLY, invalid_argument),
    CARDD_CKR(CKR_ATTRIBUTE_SENSITIVE, usage_not_permitted),
    CARDD_CKR(CKR_ATTRIBUTE_TYPE_INVALID, mechanism_unsupported),
    CARDD_CKR(CKR_ATTRIBUTE_VALUE_INVALID, invalid_argument),
    CARDD_CKR(CKR_ACTION_PROHIBITED, usage_not_permitted),
    CARDD_CKR(CKR_DATA_INVALID, invalid_argument),
    CARDD_CKR(CKR_DATA_LEN_RANGE, invalid_argument),
    CARDD_CKR(CKR_DEVICE_ERROR, token_unavailable),
    CARDD_CKR(CKR_DEVICE_MEMORY, token_unavailable),
    CARDD_CKR(CKR_DEVICE_REMOVED, token_unavailable),
    CARDD_CKR(CKR_ENCRYPTED_DATA_INVALID, invalid_argument),
    CARDD_CKR(CKR_ENCRYPTED_DATA_LEN_RANGE, invalid_argument),
    CARDD_CKR(CKR_FUNCTION_CANCELED, internal),
    CARDD_CKR(CKR_FUNCTION_NOT_PARALLEL, internal),
    CARDD_CKR(CKR_FUNCTION_NOT_SUPPORTED, mechanism_unsupported),
    CARDD_CKR(CKR_KEY_HANDLE_INVALID, key_not_found),
    CARDD_CKR(CKR_KEY_SIZE_RANGE, mechanism_unsupported),
    CARDD_CKR(CKR_KEY_TYPE_INCONSISTENT, mechanism_unsupported),
    CARDD_CKR(CKR_KEY_NOT_NEEDED, invalid_argument),
    CARDD_CKR(CKR_KEY_CHANGED, token_unavailable),
    CARDD_CKR(CKR_KEY_NEEDED, invalid_argument),
    CARDD_CKR(CKR_KEY_INDIGESTIBLE, usage_not_permitted),
    CARDD_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED, usage_not_permitted),
    CARDD_CKR(CKR_KEY_NOT_WRAPPABLE, usage_not_permitted),
    CARDD_CKR(CKR_KEY_UNEXTRACTABLE, usage_not_permitted),
    CARDD_CKR(CKR_MECHANISM_INVALID, mechanism_unsupported),
    CARDD_CKR(CKR_MECHANISM_PARAM_INVALID, invalid_argument),
    CARDD_CKR(CKR_OBJECT_HANDLE_INVALID, key_not_found),
    CARDD_CKR(CKR_OPERATION_ACTIVE, internal),
    CARDD_CKR(CKR_OPERATION_NOT_INITIALIZED, internal),
    CARDD_CKR(CKR_PIN_INCORRECT, login_failed),
    CARDD_CKR(CKR_PIN_INVALID, login_failed),
    CARDD_CKR(CKR_PIN_LEN_RANGE, login_failed),
    CARDD_CKR(CKR_PIN_EXPIRED, login_failed),
    CARDD_CKR(CKR_PIN_LOCKED, login_failed),
    CARDD_CKR(CKR_SESSION_CLOSED, token_unavailable),
    CARDD_CKR(CKR_SESSION_COUNT, token_unavailable),
    CARDD_CKR(CKR_SESSION_HANDLE_INVALID, token_unavailable),
    CARDD_CKR(CKR_SESSION_PARALLEL_NOT_SUPPORTED, token_unavailable),
    CARDD_CKR(CKR_SESSION_READ_ONLY, token_unavailable),
    CARDD_CKR(CKR_SESSION_EXISTS, token_unavailable),
    CARDD_CKR(CKR_SESSION_READ_ONLY_EXISTS, token_unavailable),
    CARDD_CKR(CKR_SESSION_READ_WRITE_SO_EXISTS, token_unavailable),
    CARDD_CKR(CKR_SIGNATURE_INVALID, invalid_argument),
    CARDD_CKR(CKR_SIGNATURE_LEN_RANGE, invalid_argument),
    CARDD_CKR(CKR_TEMPLATE_INCOMPLETE, mechanism_unsupported),
    CARDD_CKR(CKR_TEMPLATE_INCONSISTENT, mechanism_unsupported),
    CARDD_CKR(CKR_TOKEN_NOT_PRESENT, token_unavailable),
    CARDD_CKR(CKR_TOKEN_NOT_RECOGNIZED, token_unavailable),
    CARDD_CKR(CKR_TOKEN_WRITE_PROTECTED, token_unavailable),
    CARDD_CKR(CKR_UNWRAPPING_KEY_HANDLE_INVALID, key_not_found),
    CARDD_CKR(CKR_UNWRAPPING_KEY_SIZE_RANGE, mechanism_unsupported),
    CARDD_CKR(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, mechanism_unsupported),
    CARDD_CKR(CKR_USER_ALREADY_LOGGED_IN, login_failed),
    CARDD_CKR(CKR_USER_NOT_LOGGED_IN, login_failed),
    CARDD_CKR(CKR_USER_PIN_NOT_INITIALIZED, login_failed),
    CARDD_CKR(CKR_USER_TYPE_INVALID, login_failed),
    CARDD_CKR(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, login_failed),
    CARDD_CKR(CKR_USER_TOO_MANY_TYPES, login_failed),
    CARDD_CKR(CKR_WRAPPED_KEY_INVALID, invalid_argument),
    CARDD_CKR(CKR_WRAPPED_KEY_LEN_RANGE, invalid_argument),
    CARDD_CKR(CKR_WRAPPING_KEY_HANDLE_INVALID, key_not_found),
    CARDD_CKR(CKR_WRAPPING_KEY_SIZE_RANGE, mechanism_unsupported),
    CARDD_CKR(CKR_WRAPPING_KEY_TYPE_INCONSISTENT, mechanism_unsupported),
    CARDD_CKR(CKR_RANDOM_SEED_NOT_SUPPORTED, mechanism_unsupported),
    CARDD_CKR(CKR_RANDOM_NO_RNG, mechanism_unsupported),
    CARDD_CKR(CKR_DOMAIN_PARAMS_INVALID, invalid_argument),
    CARDD_CKR(CKR_BUFFER_TOO_SMALL, internal),
    CARDD_CKR(CKR_SAVED_STATE_INVALID, internal),
    CARDD_CKR(CKR_INFORMATION_SENSITIVE, usage_not_permitted),
    CARDD_CKR(CKR_STATE_UNSAVEABLE, internal),
    CARDD_CKR(CKR_CRYPTOKI_NOT_INITIALIZED, token_unavailable),
    CARDD_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED, internal),
    CARDD_CKR(CKR_MUTEX_BAD, internal),
    CARDD_CKR(CKR_MUTEX_NOT_LOCKED, internal),
    CARDD_CKR(CKR_FUNCTION_REJECTED, usage_not_permitted),
};
#undef CARDD_CKR

const Known* find(Rv rv) {
  for (const Known& k : kKnown)
    if (k.rv == rv) return &k;
  return nullptr;
}

}  // namespace

std::string ck_rv_name(Rv rv) {
  if (const Known* k = find(rv)) return k->name;
  return fmt::format("CKR_0x{:X}", rv);
}

HsmError hsm_error_of(Rv rv) {
  if (const Known* k = find(rv)) return k->error;
  return HsmError::internal;
}

Error ck_error(Rv rv, std::string_view what) {
  return make_error(hsm_error_of(rv), fmt::format("{}: {}", what, ck_rv_name(rv)));
}

bool session_lost(Rv rv) {
  switch (rv) {
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_DEVICE_REMOVED:
    case CKR_DEVICE_ERROR:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_OPERATION_ACTIVE:
      return true;
    default:
      return false;
  }
}

}  // namespace cardd::hsm::p11
