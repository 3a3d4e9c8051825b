#include "cardd/server/tracking_number.h"

#include <gtest/gtest.h>

namespace cardd::server {
namespace {

TEST(TrackingNumber, CheckDigitsOfUpuS10) {
  // UPU S10 worked example: 47312482 → 4×8+7×6+3×4+1×2+2×3+4×5+8×9+2×7 = 200,
  // 11 − 200 mod 11 = 9. Remainders giving 10 and 11 become 0 and 5.
  EXPECT_EQ(s10_check_digit(47312482), 9);
  EXPECT_EQ(format_s10({"RR", 12345678, "GB"}), "RR123456785GB");
  EXPECT_EQ(s10_check_digit(0), 5);  // 11 − 0 mod 11
  EXPECT_EQ(s10_check_digit(8), 0);  // 8×7 = 56: 11 − 1 = 10
}

TEST(TrackingNumber, ParsesOnlyWellFormedNumbers) {
  auto n = parse_s10("RR123456785GB");
  ASSERT_TRUE(n.ok()) << n.error().describe();
  EXPECT_EQ(n->serial, 12345678);
  EXPECT_EQ(n->country, "GB");
  for (const char* bad :
       {"RR123456784GB", "RR12345678GB", "rr123456785GB", "RR12345678AGB", "RR123456785G1", ""}) {
    auto r = parse_s10(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().describe().rfind("fulfilment.bad_tracking_number", 0), 0u)
        << r.error().describe();
  }
  // A configured boundary may carry any digit: it is recomputed.
  EXPECT_TRUE(parse_s10("RR123456784GB", true).ok());
}

TEST(TrackingNumber, RangesKeepServiceAndCountry) {
  auto r = parse_tracking_range("EA000000001CN", "EA999999999CN");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->first, 0);
  EXPECT_EQ(r->last, 99999999);
  EXPECT_EQ(r->service, "EA");
  EXPECT_FALSE(parse_tracking_range("EA000000001CN", "EB999999999CN").ok());
  EXPECT_FALSE(parse_tracking_range("EA000000001CN", "EA999999999US").ok());
  EXPECT_FALSE(parse_tracking_range("EA500000001CN", "EA000000001CN").ok());
}

}  // namespace
}  // namespace cardd::server
