// Text rules for names and addresses: NFC normalisation (ICU) and the
// character classes the spec allows.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cardd::intake {

struct NormalizedText {
  std::string utf8;             // NFC
  std::size_t code_points = 0;  // length after NFC
};

// Input must be valid UTF-8 (the JSON parser has checked it).
NormalizedText normalize_nfc(std::string_view utf8);

enum class NameProblem {
  none,
  invalid_character,  // digit, control, punctuation, a script not allowed
  separator,          // "·" or space at the start/end, doubled, or next to each other
};

struct NameCheck {
  NameProblem problem = NameProblem::none;
  char32_t character = 0;    // the offending one, for the message
  std::size_t position = 0;  // 1-based code point index
};

// Han (incl. CJK Extension B+), U+00B7 between parts, Latin letters and single
// spaces between Latin parts. Takes NFC text.
NameCheck check_name(std::string_view nfc_utf8);

// True when the text has a control character (C0, C1, DEL, or U+2028/2029).
bool has_control_character(std::string_view utf8);

}  // namespace cardd::intake
