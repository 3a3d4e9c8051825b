#include "cardd/hsm/error.h"
#include "cardd/common/error_category.h"

#include <string>

namespace cardd::hsm {
namespace {

std::string_view to_string(HsmError e) {
  switch (e) {
    case HsmError::key_not_found:
      return "key_not_found";
    case HsmError::key_exists:
      return "key_exists";
    case HsmError::usage_not_permitted:
      return "usage_not_permitted";
    case HsmError::mechanism_unsupported:
      return "mechanism_unsupported";
    case HsmError::token_unavailable:
      return "token_unavailable";
    case HsmError::login_failed:
      return "login_failed";
    case HsmError::store_corrupt:
      return "store_corrupt";
    case HsmError::weak_key:
      return "weak_key";
    case HsmError::invalid_argument:
      return "invalid_argument";
    case HsmError::io:
      return "io";
    case HsmError::internal:
      return "internal";
  }
  return {};
}

}  // namespace

const std::error_category& hsm_category() {
  static const ErrorCategory<HsmError> category("hsm", to_string);
  return category;
}

}  // namespace cardd::hsm
