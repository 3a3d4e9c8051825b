// What the printer is given for one card face: plain data, already validated
// and prepared upstream (the printer knows nothing of applications, the
// database or the chip). The face template decides which of these fields are
// printed, where and how; it refers to them by the names in kFaceFields.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace cardd::printer {

// The two sides of a CR80 card. Side A (front) carries the national artwork
// and the card name; side B (back) the holder's data (spec/card.md). Which
// text goes on which side is the template's business.
enum class Side { front, back };
std::string_view to_string(Side side);  // "front", "back"

struct FaceData {
  std::string name;                    // holder name, UTF-8 (may be outside the BMP)
  std::string social_security_number;  // 18 characters, printed in full on the card
  std::string card_number;             // 9 characters
  int issue_year = 0;                  // e.g. 2026
  int issue_month = 0;                 // 1..12, printed with two digits ("2026年11月")
  std::string bank_name;               // e.g. "中国工商银行"
  std::string bank_account;            // empty unless the bank's profile prints it
  std::string service_hotline;
  std::string vendor_code;  // card vendor code
  std::string photo_jpeg;   // JPEG bytes (358×441 from the bureau)
};

// Names a template may use: text placeholders "{name}" etc., and "photo" for a
// photo box. "issue_year" and "issue_month" are the two halves of the date.
inline constexpr std::array<std::string_view, 10> kFaceFields = {
    "name",      "social_security_number", "card_number",     "issue_year",  "issue_month",
    "bank_name", "bank_account",           "service_hotline", "vendor_code", "photo"};

// The printable text of a text field ("issue_month" → "11"); nullopt for an
// unknown name and for "photo". Empty when the field is empty (a year or month
// of 0 is empty); a month outside 1..12 is returned as it is, for QC to refuse.
std::optional<std::string> text_field(const FaceData& data, std::string_view field);

}  // namespace cardd::printer
