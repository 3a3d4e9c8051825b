#include "cardd/printer/face.h"

namespace cardd::printer {

std::string_view to_string(Side side) { return side == Side::front ? "front" : "back"; }

std::optional<std::string> text_field(const FaceData& d, std::string_view field) {
  const auto number = [](int v, bool two_digits) -> std::string {
    if (v == 0) return {};
    std::string s = std::to_string(v);
    return two_digits && s.size() == 1 ? "0" + s : s;
  };
  if (field == "name") return d.name;
  if (field == "social_security_number") return d.social_security_number;
  if (field == "card_number") return d.card_number;
  if (field == "issue_year") return number(d.issue_year, false);
  if (field == "issue_month") return number(d.issue_month, true);
  if (field == "bank_name") return d.bank_name;
  if (field == "bank_account") return d.bank_account;
  if (field == "service_hotline") return d.service_hotline;
  if (field == "vendor_code") return d.vendor_code;
  return std::nullopt;
}

}  // namespace cardd::printer
