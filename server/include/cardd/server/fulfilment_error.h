// Errors of QC and of mail and branch fulfilment.
#pragma once

#include <system_error>

namespace cardd::server {

enum class FulfilmentError {
  bad_tracking_number = 1,  // not a valid number of the courier's format
  bad_configuration,        // courier range or batch size impossible
  unknown_tracking_number,  // a courier event for a number cardd never shipped
  id_mismatch,              // the ID number shown at the counter is not the holder's
  wrong_card,               // QC: the card in the reader is not the application's
};
const std::error_category& fulfilment_category();
inline std::error_code make_error_code(FulfilmentError e) {
  return {static_cast<int>(e), fulfilment_category()};
}

}  // namespace cardd::server

template <>
struct std::is_error_code_enum<cardd::server::FulfilmentError> : std::true_type {};
