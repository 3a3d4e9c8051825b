#include "cardd/card/apdu_error.h"
#include "cardd/common/error_category.h"

#include <string>

namespace cardd::card {
namespace {

std::string_view to_string(TlvError e) {
  switch (e) {
    case TlvError::truncated:
      return "truncated";
    case TlvError::bad_length:
      return "bad_length";
    case TlvError::bad_tag:
      return "bad_tag";
    case TlvError::too_deep:
      return "too_deep";
  }
  return {};
}

std::string_view to_string(ApduError e) {
  switch (e) {
    case ApduError::malformed:
      return "malformed";
    case ApduError::too_long:
      return "too_long";
  }
  return {};
}

}  // namespace

const std::error_category& tlv_category() {
  static const ErrorCategory<TlvError> category("tlv", to_string);
  return category;
}

const std::error_category& apdu_category() {
  static const ErrorCategory<ApduError> category("apdu", to_string);
  return category;
}

}  // namespace cardd::card
