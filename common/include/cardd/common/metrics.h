// Process-wide counters and latency histograms for GET /metrics, in
// Prometheus' text format. Any module records into them (APDU exchanges,
// HSM operations, prints, HTTP requests); the API renders them with the
// gauges it reads from the store and the lines at scrape time.
//
// Thread safety: every function and metric may be used from any thread.
// Recording is lock-free; finding a metric by name and labels takes a
// mutex, so hot paths look theirs up once and keep the reference.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cardd::metrics {

// Label names and values, in the order rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Durations in seconds, counted into fixed buckets from 100 µs to 10 s: the
// range of an APDU, an HSM call, an HTTP request and a print job.
class Histogram {
 public:
  static constexpr std::array<double, 16> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                     0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                     1,      2.5,     5,      10};
  void observe(std::chrono::nanoseconds duration);
  // Cumulative count of observations up to each bound, then all of them.
  std::array<std::uint64_t, kBounds.size() + 1> cumulative() const;
  double sum_seconds() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

// The metric of that name and labels, made on first use; the reference
// stays valid for the life of the process. A name is one kind only.
Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels = {});

// Every counter and histogram recorded so far, by name.
std::string render();

// One family of values read at scrape time, in the same format; `type` is
// "gauge", or "counter" for a total kept elsewhere (the store, the HSM).
std::string render_family(std::string_view name, std::string_view type, std::string_view help,
                          const std::vector<std::pair<Labels, double>>& samples);

// Observes the time from construction to destruction.
class ScopedTimer {
 public:
  explicit ScopedTimer(Histogram& histogram)
      : histogram_(histogram), start_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer() { histogram_.observe(std::chrono::steady_clock::now() - start_); }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  Histogram& histogram_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace cardd::metrics
