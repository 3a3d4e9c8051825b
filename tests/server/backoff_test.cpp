#include "cardd/server/backoff.h"

#include <gtest/gtest.h>

namespace cardd::server {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesUpToTheCapWithJitterInTheUpperHalf) {
  Backoff backoff(milliseconds(100), milliseconds(1000));
  const std::int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (const std::int64_t ceiling : ceilings) {
    const auto delay = backoff.next().count();
    EXPECT_GE(delay, ceiling / 2) << ceiling;
    EXPECT_LE(delay, ceiling) << ceiling;
  }
  EXPECT_EQ(backoff.failures(), 7);
  backoff.reset();
  EXPECT_EQ(backoff.failures(), 0);
  EXPECT_LE(backoff.next().count(), 100) << "after a success it starts again";
}

TEST(BackoffTest, ManyFailuresStayAtTheCap) {
  Backoff backoff(milliseconds(1), milliseconds(15000));
  std::int64_t last = 0;
  for (int i = 0; i < 200; ++i) last = backoff.next().count();
  EXPECT_GE(last, 7500);
  EXPECT_LE(last, 15000);
}

}  // namespace
}  // namespace cardd::server
