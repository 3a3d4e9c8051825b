#include "cardd/server/tracking_number.h"

#include <fmt/format.h>

#include <array>

#include "cardd/server/fulfilment_error.h"

namespace cardd::server {
namespace {

constexpr std::array<int, 8> kWeights = {8, 6, 4, 2, 3, 5, 9, 7};
constexpr std::int64_t kLastSerial = 99'999'999;

bool upper_letters(std::string_view s) {
  for (const char c : s)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

bool digits(std::string_view s) {
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

Error bad(std::string_view text, std::string_view why) {
  return make_error(FulfilmentError::bad_tracking_number,
                    fmt::format("tracking number '{}': {}", text, why));
}

}  // namespace

int s10_check_digit(std::int64_t serial) {
  int sum = 0;
  for (int i = 7; i >= 0; --i) {
    sum += static_cast<int>(serial % 10) * kWeights[static_cast<std::size_t>(i)];
    serial /= 10;
  }
  const int check = 11 - sum % 11;
  if (check == 10) return 0;
  if (check == 11) return 5;
  return check;
}

std::string format_s10(const S10Number& n) {
  return fmt::format("{}{:08}{}{}", n.service, n.serial, s10_check_digit(n.serial), n.country);
}

Result<S10Number> parse_s10(std::string_view text, bool check_digit_recomputed) {
  if (text.size() != 13) return bad(text, "not 13 characters (2 letters, 9 digits, 2 letters)");
  const std::string_view service = text.substr(0, 2), number = text.substr(2, 8),
                         check = text.substr(10, 1), country = text.substr(11, 2);
  if (!upper_letters(service) || !upper_letters(country))
    return bad(text, "service and country must be two upper-case letters each");
  if (!digits(number) || !digits(check)) return bad(text, "nine digits expected in the middle");
  S10Number n{std::string(service), std::stoll(std::string(number)), std::string(country)};
  if (!check_digit_recomputed && check[0] - '0' != s10_check_digit(n.serial))
    return bad(text, fmt::format("check digit is {}, not {}", s10_check_digit(n.serial), check));
  return n;
}

Result<TrackingRange> parse_tracking_range(std::string_view first, std::string_view last) {
  auto a = parse_s10(first, true);
  if (!a) return a.error();
  auto b = parse_s10(last, true);
  if (!b) return b.error();
  if (a->service != b->service || a->country != b->country)
    return bad(
        last, fmt::format("the range must keep service {} and country {}", a->service, a->country));
  if (a->serial > b->serial || b->serial > kLastSerial)
    return bad(last, fmt::format("the range ends before it starts (first {})", first));
  return TrackingRange{a->service, a->country, a->serial, b->serial};
}

}  // namespace cardd::server
