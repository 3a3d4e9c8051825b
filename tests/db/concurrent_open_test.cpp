// Twenty connections opening one new database at once all succeed: the
// migration runs once, under the write lock, and the others find it done.
// Also: a missing file is not created unless asked for.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <latch>
#include <thread>
#include <vector>

#include "store_fixture.h"

namespace cardd::db::test {
namespace {

TEST(ConcurrentOpen, TwentyConnectionsOpeningANewDatabaseAtOnceAllSucceed) {
  for (int trial = 0; trial < 3; ++trial) {
    cardd::test::TempDir dir;
    const std::string path = (dir.path() / "new.db").string();
    constexpr int kConnections = 20;
    std::latch start(kConnections);
    std::atomic<int> opened{0};
    std::vector<std::string> failures(kConnections);
    {
      std::vector<std::jthread> threads;
      for (int i = 0; i < kConnections; ++i)
        threads.emplace_back([&, i] {
          StoreOptions options;
          options.create_if_missing = true;
          options.busy_timeout_ms = 20000;
          start.arrive_and_wait();
          auto store = Store::open(path, options);
          if (store.ok())
            ++opened;
          else
            failures[static_cast<std::size_t>(i)] = store.error().describe();
        });
    }
    for (const auto& f : failures) EXPECT_EQ(f, "");
    EXPECT_EQ(opened.load(), kConnections) << "trial " << trial;
  }
}

TEST(ConcurrentOpen, AMissingDatabaseIsNotCreatedUnlessAskedFor) {
  cardd::test::TempDir dir;
  const std::string path = (dir.path() / "typo.db").string();
  auto r = Store::open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbError::no_database);
  EXPECT_NE(r.error().message.find("does not exist"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace cardd::db::test
