// Counters and histograms rendered in Prometheus' text format.
#include "cardd/common/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace cardd::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

TEST(Metrics, CountersAreRenderedWithTheirLabelsEscaped) {
  counter("test_requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}}).add(2);
  counter("test_requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}}).add();
  counter("test_requests_total", "Requests.", {{"route", "say \"hi\"\n"}}).add();
  const std::string text = render();
  EXPECT_TRUE(has_line(text, "# TYPE test_requests_total counter")) << text;
  EXPECT_TRUE(has_line(text, R"(test_requests_total{route="/a",status="200"} 3)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_requests_total{route="say \"hi\"\n"} 1)")) << text;
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Histogram& h = histogram("test_latency_seconds", "Latency.", {{"op", "x"}});
  h.observe(microseconds(50));   // ≤ 0.0001
  h.observe(microseconds(700));  // ≤ 0.001
  h.observe(milliseconds(20));   // ≤ 0.025
  h.observe(std::chrono::seconds(60));
  const std::string text = render();
  EXPECT_TRUE(has_line(text, "# TYPE test_latency_seconds histogram")) << text;
  EXPECT_TRUE(has_line(text, R"(test_latency_seconds_bucket{op="x",le="0.0001"} 1)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_latency_seconds_bucket{op="x",le="0.001"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_latency_seconds_bucket{op="x",le="0.025"} 3)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_latency_seconds_bucket{op="x",le="10"} 3)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_latency_seconds_bucket{op="x",le="+Inf"} 4)")) << text;
  EXPECT_TRUE(has_line(text, R"(test_latency_seconds_count{op="x"} 4)")) << text;
  EXPECT_NEAR(h.sum_seconds(), 60.02075, 1e-6);
}

TEST(Metrics, RecordingFromManyThreadsLosesNothing) {
  Counter& c = counter("test_threads_total", "Increments.");
  Histogram& h = histogram("test_threads_seconds", "Durations.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.add();
        h.observe(microseconds(1));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.cumulative().back(), 40000u);
}

TEST(Metrics, GaugesAreRenderedAsGiven) {
  const std::string text =
      render_family("test_hopper_cards", "gauge", "Cards in the hopper.",
                    {{{{"line", "line-1"}}, 412}, {{{"line", "line-2"}}, 0.5}});
  EXPECT_EQ(text,
            "# HELP test_hopper_cards Cards in the hopper.\n# TYPE test_hopper_cards gauge\n"
            "test_hopper_cards{line=\"line-1\"} 412\ntest_hopper_cards{line=\"line-2\"} 0.5\n");
}

}  // namespace
}  // namespace cardd::metrics
