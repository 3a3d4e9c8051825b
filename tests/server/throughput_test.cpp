// Cards per hour as an operator reads it: over the last ten minutes, or
// since the first card when the slot has not run that long.
#include "lines/throughput.h"

#include <gtest/gtest.h>

namespace cardd::server {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(Throughput, IsZeroBeforeTheFirstCardAndInItsFirstSecond) {
  Throughput t;
  const auto start = Throughput::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(t.per_hour(start), 0.0);
  t.record(start);
  EXPECT_EQ(t.per_hour(start), 0.0);
}

TEST(Throughput, CountsOverTheTimeRunWhenShorterThanTheWindow) {
  Throughput t;
  const auto start = Throughput::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 10; ++i) t.record(start + seconds(6 * i));
  EXPECT_DOUBLE_EQ(t.per_hour(start + minutes(1)), 600.0) << "10 cards in one minute";
}

TEST(Throughput, ForgetsCardsOlderThanTheWindow) {
  Throughput t;
  const auto start = Throughput::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) t.record(start + seconds(i));
  t.record(start + minutes(15));
  EXPECT_DOUBLE_EQ(t.per_hour(start + minutes(15)), 6.0) << "one card in the last ten minutes";
  EXPECT_EQ(t.per_hour(start + minutes(30)), 0.0) << "a stopped slot falls to zero";
}

}  // namespace
}  // namespace cardd::server
