// Standard base64 (RFC 4648 §4, with padding), strict on decode.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cardd {

std::string base64_encode(std::string_view bytes);

// nullopt on any character outside the alphabet, bad padding or a length that
// is not a multiple of 4. Line breaks are not accepted (the bureau sends none).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace cardd
