// Runs the registered benchmarks and remembers each one's rate, so a bench
// binary can print ratios against a baseline measured in the same run.
#pragma once

#include <map>
#include <string>

namespace cardd::bench {

// Runs everything registered (honouring --benchmark_* flags) and returns
// items_per_second by benchmark name (without the "/real_time" suffixes;
// arguments and "/threads:N" kept: "Load/100", "Encode/threads:2").
std::map<std::string, double> run_benchmarks(int argc, char** argv);

// Prints "name: rate/s = ratio x baseline (target ...)" lines.
void print_ratio(const std::map<std::string, double>& rates, const std::string& name,
                 const std::string& baseline, double target);

}  // namespace cardd::bench
