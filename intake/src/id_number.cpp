#include "cardd/intake/id_number.h"

#include <array>

#include "cardd/common/pii.h"

namespace cardd::intake {
namespace {

constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kCheckCharacters[] = "10X98765432";

// GB/T 2260 province-level codes (incl. Taiwan 71, Hong Kong 81, Macao 82).
bool is_province_code(int code) {
  switch (code) {
    case 11:
    case 12:
    case 13:
    case 14:
    case 15:
    case 21:
    case 22:
    case 23:
    case 31:
    case 32:
    case 33:
    case 34:
    case 35:
    case 36:
    case 37:
    case 41:
    case 42:
    case 43:
    case 44:
    case 45:
    case 46:
    case 50:
    case 51:
    case 52:
    case 53:
    case 54:
    case 61:
    case 62:
    case 63:
    case 64:
    case 65:
    case 71:
    case 81:
    case 82:
      return true;
    default:
      return false;
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

char IdNumber::check_character(std::string_view first17) {
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckCharacters[sum % 11];
}

IdNumberProblem IdNumber::check(std::string_view t) {
  if (t.size() != 18) return IdNumberProblem::format;
  for (std::size_t i = 0; i < 17; ++i)
    if (!is_digit(t[i])) return IdNumberProblem::format;
  const char last = t[17];
  if (!is_digit(last) && last != 'X' && last != 'x') return IdNumberProblem::format;
  if (!is_province_code((t[0] - '0') * 10 + (t[1] - '0'))) return IdNumberProblem::area_code;
  if (!CivilDate::parse_compact(t.substr(6, 8))) return IdNumberProblem::birth_date;
  const char expected = check_character(t);
  if ((last == 'x' ? 'X' : last) != expected) return IdNumberProblem::checksum;
  return IdNumberProblem::none;
}

IdNumber IdNumber::from_checked(std::string_view text) {
  std::string value(text);
  if (value.size() == 18 && value[17] == 'x') value[17] = 'X';
  return IdNumber(std::move(value));
}

std::string IdNumber::masked() const { return mask_id_number(value_); }

CivilDate IdNumber::birth_date() const {
  return CivilDate::parse_compact(std::string_view(value_).substr(6, 8)).value_or(CivilDate{});
}

bool IdNumber::is_male() const { return (value_[16] - '0') % 2 == 1; }

}  // namespace cardd::intake
