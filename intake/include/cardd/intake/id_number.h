// The 18-character resident ID number (GB 11643-1999).
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/civil_time.h"

namespace cardd::intake {

enum class IdNumberProblem {
  none,
  format,      // not 17 digits + digit/X
  area_code,   // first two digits are no province code
  birth_date,  // digits 7–14 are no calendar date
  checksum,    // ISO 7064 MOD 11-2 check character wrong
};

// An ID number that passed check(): upper-case X, trusted inside the program.
class IdNumber {
 public:
  IdNumber() = default;

  static IdNumberProblem check(std::string_view text);
  // The check character for the first 17 digits ('0'–'9' or 'X').
  static char check_character(std::string_view first17);
  // Precondition: check(text) == none. Lower-case 'x' becomes 'X'.
  static IdNumber from_checked(std::string_view text);

  const std::string& str() const { return value_; }
  std::string masked() const;
  CivilDate birth_date() const;
  bool is_male() const;  // odd sequence digit

  friend bool operator==(const IdNumber&, const IdNumber&) = default;

 private:
  explicit IdNumber(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

}  // namespace cardd::intake
