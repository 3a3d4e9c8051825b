// Masking of personal data for logs, errors and operator output.
// Logs never show full ID numbers, phone numbers, photos or keys.
#pragma once

#include <string>
#include <string_view>

namespace cardd {

// "110105194912310021" -> "110105********0021"; shorter or odd input is
// masked entirely except for its length, so a malformed number never leaks.
std::string mask_id_number(std::string_view id_number);

// "13811112222" -> "138****2222"; other lengths are fully masked.
std::string mask_mobile(std::string_view mobile);

// Card numbers and PANs: all but the last four characters masked.
std::string mask_tail4(std::string_view value);

}  // namespace cardd
