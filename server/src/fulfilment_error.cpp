#include "cardd/server/fulfilment_error.h"

#include "cardd/common/error_category.h"

namespace cardd::server {
namespace {

std::string_view to_string(FulfilmentError e) {
  switch (e) {
    case FulfilmentError::bad_tracking_number:
      return "bad_tracking_number";
    case FulfilmentError::bad_configuration:
      return "bad_configuration";
    case FulfilmentError::unknown_tracking_number:
      return "unknown_tracking_number";
    case FulfilmentError::id_mismatch:
      return "id_mismatch";
    case FulfilmentError::wrong_card:
      return "wrong_card";
  }
  return {};
}

}  // namespace

const std::error_category& fulfilment_category() {
  static const ErrorCategory<FulfilmentError> category("fulfilment", to_string);
  return category;
}

}  // namespace cardd::server
