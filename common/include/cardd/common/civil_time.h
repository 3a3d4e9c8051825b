// Calendar dates and RFC 3339 timestamps, parsed strictly.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cardd {

struct CivilDate {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;

  auto operator<=>(const CivilDate&) const = default;

  // "YYYY-MM-DD", a real calendar day.
  static std::optional<CivilDate> parse_iso(std::string_view text);
  // "YYYYMMDD" as in ID numbers.
  static std::optional<CivilDate> parse_compact(std::string_view digits);
  std::string to_iso() const;
  std::int64_t days_since_epoch() const;
};

// Seconds since the Unix epoch.
using UnixSeconds = std::int64_t;

// RFC 3339 date-time with a mandatory offset ("Z" or "+08:00"), optional
// fractional seconds (truncated). nullopt for anything else.
std::optional<UnixSeconds> parse_rfc3339(std::string_view text);
std::string format_rfc3339_utc(UnixSeconds t);

// A fixed offset from UTC ("+08:00"): a region's civil time. Regions with
// daylight saving time would need a zone database; none is served yet.
struct UtcOffset {
  int minutes = 0;

  auto operator<=>(const UtcOffset&) const = default;

  // "Z", "+HH:MM" or "-HH:MM" (at most 14 hours); nullopt for anything else.
  static std::optional<UtcOffset> parse(std::string_view text);
  // "+08:00" style (never "Z"), as RFC 3339 timestamps carry it.
  std::string to_string() const;
};

// The calendar day at a point in time in a region's civil time: the day the
// bureau and the applicant see.
CivilDate local_date(UnixSeconds t, UtcOffset offset);

UnixSeconds unix_now();

}  // namespace cardd
