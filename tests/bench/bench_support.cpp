#include "bench_support.h"

#include <benchmark/benchmark.h>

#include <cstdio>

#include "cardd/common/allocator.h"

namespace cardd::bench {
namespace {

class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  explicit CollectingReporter(std::map<std::string, double>& rates) : rates_(rates) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration && run.aggregate_name != "median") continue;
      const auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      std::string name = run.run_name.function_name;
      if (!run.run_name.args.empty()) name += "/" + run.run_name.args;
      if (!run.run_name.threads.empty()) name += "/" + run.run_name.threads;
      rates_[name] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

 private:
  std::map<std::string, double>& rates_;
};

}  // namespace

std::map<std::string, double> run_benchmarks(int argc, char** argv) {
  std::map<std::string, double> rates;
  keep_large_allocations();  // as the daemon runs
  benchmark::Initialize(&argc, argv);
  CollectingReporter reporter(rates);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return rates;
}

void print_ratio(const std::map<std::string, double>& rates, const std::string& name,
                 const std::string& baseline, double target) {
  const auto a = rates.find(name), b = rates.find(baseline);
  if (a == rates.end() || b == rates.end() || b->second <= 0) return;
  const double ratio = a->second / b->second;
  std::printf("%-28s %10.0f/s = %.2fx %s (target >= %.2fx) %s\n", name.c_str(), a->second, ratio,
              baseline.c_str(), target, ratio >= target ? "ok" : "BELOW TARGET");
}

}  // namespace cardd::bench
