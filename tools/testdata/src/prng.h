// A small, fully specified PRNG (xoshiro256** seeded through splitmix64), so
// that generated data is identical on every platform and standard library;
// std:: distributions are implementation-defined and are not used.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace cardd::testdata {

std::uint64_t splitmix64(std::uint64_t& state);

// Mixes several values into one seed (order matters).
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0);

class Prng {
 public:
  explicit Prng(std::uint64_t seed);

  std::uint64_t next();
  // Uniform in [0, n); n must be > 0. Unbiased (rejection sampling).
  std::uint64_t below(std::uint64_t n);
  // Uniform in [lo, hi] (inclusive).
  int range(int lo, int hi);
  // Uniform in [0, 1).
  double unit();
  // True with probability p.
  bool chance(double p);

  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<std::size_t>(below(items.size()))];
  }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[static_cast<std::size_t>(below(N))];
  }

 private:
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace cardd::testdata
