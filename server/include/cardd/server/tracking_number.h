// Courier tracking numbers in the UPU S10 format (EMS and other postal
// couriers): two service letters, an eight-digit serial, a check digit
// (weights 8 6 4 2 3 5 9 7, mod 11) and the two-letter country code, e.g.
// RR123456785GB. A configured range gives its first and last number; their
// check digits are recomputed, not trusted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cardd/common/result.h"

namespace cardd::server {

struct S10Number {
  std::string service;  // two upper-case letters
  std::int64_t serial = 0;
  std::string country;  // two upper-case letters
};

// The check digit of an eight-digit serial.
int s10_check_digit(std::int64_t serial);
std::string format_s10(const S10Number& n);
// Errors name what is wrong; with `check_digit_recomputed` the given digit
// may differ (a configured range boundary), otherwise it must be right.
Result<S10Number> parse_s10(std::string_view text, bool check_digit_recomputed = false);

struct TrackingRange {
  std::string service;
  std::string country;
  std::int64_t first = 0;
  std::int64_t last = 0;
};
// Both ends in S10 form, same service and country, first <= last.
Result<TrackingRange> parse_tracking_range(std::string_view first, std::string_view last);

}  // namespace cardd::server
