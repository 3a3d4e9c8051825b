#include "id_numbers.h"

#include <array>
#include <cstdio>
#include <span>
#include <string_view>

namespace cardd::testdata {
bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap_year(year)) return 29;
  return kDays[static_cast<std::size_t>(month - 1)];
}

// Howard Hinnant's days_from_civil / civil_from_days.
long long days_from_civil(Date d) {
  const long long y = d.month <= 2 ? d.year - 1 : d.year;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long mp = (d.month + 9) % 12;
  const long long doy = (153 * mp + 2) / 5 + d.day - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(long long days) {
  const long long z = days + 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long day = doy - (153 * mp + 2) / 5 + 1;
  const long long month = mp < 10 ? mp + 3 : mp - 9;
  const long long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return Date{static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

std::string iso_date(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string compact_date(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
  return buf;
}

Date random_date(Prng& rng, int first_year, int last_year) {
  const long long first = days_from_civil(Date{first_year, 1, 1});
  const long long last = days_from_civil(Date{last_year, 12, 31});
  const auto offset =
      static_cast<long long>(rng.below(static_cast<std::uint64_t>(last - first + 1)));
  return civil_from_days(first + offset);
}

char id_check_character(const std::string& first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr std::string_view kMap = "10X98765432";
  int sum = 0;
  for (std::size_t i = 0; i < kWeights.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kMap[static_cast<std::size_t>(sum % 11)];
}

IdNumber make_id_number(Prng& rng, const RegionPlaces& places, Date birth, bool male) {
  IdNumber id;
  id.birth = birth;
  id.male = male;
  const std::span<const PlaceDistrict> home(places.districts);
  const std::string_view area =
      rng.chance(0.85)
          ? std::string_view(rng.pick(home).code)
          : std::string_view(rng.pick(std::span<const std::string>(places.other_id_areas)));
  // Sequence 001..999: the last digit is odd for men, even for women.
  // One draw per statement, so any compiler draws in the same order.
  const int tens = rng.range(0, 99);
  const int pair = rng.range(0, 4);
  int sequence = tens * 10 + 2 * pair + (male ? 1 : 0);
  if (sequence == 0) sequence = 2;
  char seq[8];
  std::snprintf(seq, sizeof seq, "%03d", sequence);
  id.text = std::string(area) + compact_date(birth) + seq;
  char check = id_check_character(id.text);
  if (check == 'X' && rng.chance(0.2)) check = 'x';
  id.text += check;
  return id;
}

}  // namespace cardd::testdata
