#include "cardd/common/civil_time.h"

#include <fmt/format.h>

namespace cardd {
namespace {

bool all_digits(std::string_view s) {
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}

std::optional<CivilDate> make_date(int y, int m, int d) {
  const std::chrono::year_month_day ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return CivilDate{y, static_cast<unsigned>(m), static_cast<unsigned>(d)};
}

}  // namespace

std::optional<CivilDate> CivilDate::parse_iso(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  const auto y = t.substr(0, 4), m = t.substr(5, 2), d = t.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
  return make_date(to_int(y), to_int(m), to_int(d));
}

std::optional<CivilDate> CivilDate::parse_compact(std::string_view t) {
  if (t.size() != 8 || !all_digits(t)) return std::nullopt;
  return make_date(to_int(t.substr(0, 4)), to_int(t.substr(4, 2)), to_int(t.substr(6, 2)));
}

std::string CivilDate::to_iso() const { return fmt::format("{:04}-{:02}-{:02}", year, month, day); }

std::int64_t CivilDate::days_since_epoch() const {
  const std::chrono::sys_days days{std::chrono::year{year} / std::chrono::month{month} /
                                   std::chrono::day{day}};
  return days.time_since_epoch().count();
}

std::optional<UnixSeconds> parse_rfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (t.size() < 20) return std::nullopt;
  const auto date = CivilDate::parse_iso(t.substr(0, 10));
  if (!date || (t[10] != 'T' && t[10] != 't' && t[10] != ' ')) return std::nullopt;
  if (t[13] != ':' || t[16] != ':') return std::nullopt;
  const auto hh = t.substr(11, 2), mm = t.substr(14, 2), ss = t.substr(17, 2);
  if (!all_digits(hh) || !all_digits(mm) || !all_digits(ss)) return std::nullopt;
  const int h = to_int(hh), mi = to_int(mm), s = to_int(ss);
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;  // 60: leap second
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  if (pos >= t.size()) return std::nullopt;
  int offset_seconds = 0;
  const std::string_view zone = t.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset_seconds = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
             all_digits(zone.substr(1, 2)) && all_digits(zone.substr(4, 2))) {
    const int oh = to_int(zone.substr(1, 2)), om = to_int(zone.substr(4, 2));
    if (oh > 23 || om > 59) return std::nullopt;
    offset_seconds = (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  return date->days_since_epoch() * 86400 + h * 3600 + mi * 60 + s - offset_seconds;
}

std::string format_rfc3339_utc(UnixSeconds t) {
  const std::chrono::sys_seconds tp{std::chrono::seconds{t}};
  const auto days = std::chrono::floor<std::chrono::days>(tp);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{tp - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::optional<UtcOffset> UtcOffset::parse(std::string_view t) {
  if (t == "Z") return UtcOffset{0};
  if (t.size() != 6 || (t[0] != '+' && t[0] != '-') || t[3] != ':' || !all_digits(t.substr(1, 2)) ||
      !all_digits(t.substr(4, 2)))
    return std::nullopt;
  const int h = to_int(t.substr(1, 2)), m = to_int(t.substr(4, 2));
  if (m > 59 || h * 60 + m > 14 * 60) return std::nullopt;
  return UtcOffset{(h * 60 + m) * (t[0] == '-' ? -1 : 1)};
}

std::string UtcOffset::to_string() const {
  const int a = minutes < 0 ? -minutes : minutes;
  return fmt::format("{}{:02}:{:02}", minutes < 0 ? '-' : '+', a / 60, a % 60);
}

CivilDate local_date(UnixSeconds t, UtcOffset offset) {
  const std::chrono::sys_seconds tp{std::chrono::seconds{t + offset.minutes * 60}};
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(tp)};
  return CivilDate{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                   static_cast<unsigned>(ymd.day())};
}

UnixSeconds unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cardd
