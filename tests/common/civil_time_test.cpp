#include "cardd/common/civil_time.h"

#include <gtest/gtest.h>

namespace cardd {
namespace {

TEST(CivilDate, ParsesOnlyRealCalendarDays) {
  EXPECT_EQ(CivilDate::parse_iso("1949-12-31"), (CivilDate{1949, 12, 31}));
  EXPECT_EQ(CivilDate::parse_iso("2024-02-29"), (CivilDate{2024, 2, 29}));
  EXPECT_FALSE(CivilDate::parse_iso("2023-02-29"));
  EXPECT_FALSE(CivilDate::parse_iso("1900-02-29"));
  EXPECT_FALSE(CivilDate::parse_iso("2023-13-01"));
  EXPECT_FALSE(CivilDate::parse_iso("2023-1-01"));
  EXPECT_FALSE(CivilDate::parse_iso("2023-01-01T"));
  EXPECT_EQ(CivilDate::parse_compact("19491231"), (CivilDate{1949, 12, 31}));
  EXPECT_FALSE(CivilDate::parse_compact("19490230"));
  EXPECT_EQ((CivilDate{1949, 1, 2}).to_iso(), "1949-01-02");
}

TEST(Rfc3339, HonoursOffsetsAndFractions) {
  const auto utc = parse_rfc3339("2026-11-20T01:30:00Z");
  ASSERT_TRUE(utc);
  EXPECT_EQ(parse_rfc3339("2026-11-20T09:30:00+08:00"), utc);
  EXPECT_EQ(parse_rfc3339("2026-11-20T09:30:00.123+08:00"), utc);
  EXPECT_EQ(parse_rfc3339("2026-11-19T20:30:00-05:00"), utc);
  EXPECT_EQ(format_rfc3339_utc(*utc), "2026-11-20T01:30:00Z");
  EXPECT_EQ(*utc, 1795138200);
}

TEST(Rfc3339, RefusesIncompleteTimes) {
  for (const char* bad :
       {"2026-11-20", "2026-11-20T09:30:00", "2026-11-20T09:30+08:00", "2026-11-20T25:00:00Z",
        "2026-11-20T09:30:00+0800", "2026-11-20T09:30:00.Z"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

TEST(LocalDate, FollowsTheOffset) {
  const UtcOffset east{8 * 60};
  EXPECT_EQ(local_date(*parse_rfc3339("2026-11-23T15:59:59Z"), east), (CivilDate{2026, 11, 23}));
  EXPECT_EQ(local_date(*parse_rfc3339("2026-11-23T16:00:00Z"), east), (CivilDate{2026, 11, 24}));
  const UtcOffset west{-(3 * 60 + 30)};
  EXPECT_EQ(local_date(*parse_rfc3339("2026-11-24T03:29:59Z"), west), (CivilDate{2026, 11, 23}));
  EXPECT_EQ(local_date(*parse_rfc3339("2026-11-24T03:30:00Z"), west), (CivilDate{2026, 11, 24}));
}

TEST(UtcOffset, ParsesAndFormats) {
  EXPECT_EQ(UtcOffset::parse("+08:00"), (UtcOffset{480}));
  EXPECT_EQ(UtcOffset::parse("-03:30"), (UtcOffset{-210}));
  EXPECT_EQ(UtcOffset::parse("Z"), (UtcOffset{0}));
  EXPECT_EQ(UtcOffset{480}.to_string(), "+08:00");
  EXPECT_EQ(UtcOffset{-210}.to_string(), "-03:30");
  for (const char* bad : {"+8:00", "+0800", "+15:00", "+08:60", "UTC+8", "Asia/Tokyo", ""})
    EXPECT_FALSE(UtcOffset::parse(bad)) << bad;
}

}  // namespace
}  // namespace cardd
