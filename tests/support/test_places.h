// A shipped region's places for the test-data generator. Users link
// cardd::testdata.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "cardd/testdata/generator.h"
#include "regions.h"

namespace cardd::test {

inline std::shared_ptr<const testdata::RegionPlaces> region_places(
    const std::string& name = "beijing") {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const testdata::RegionPlaces>> loaded;
  const std::lock_guard lock(mutex);
  if (auto it = loaded.find(name); it != loaded.end()) return it->second;
  auto p = testdata::load_region_places(shipped_region(name));
  if (!p) throw std::runtime_error(p.error().describe());
  auto shared = std::make_shared<const testdata::RegionPlaces>(std::move(*p));
  loaded.emplace(name, shared);
  return shared;
}

}  // namespace cardd::test

namespace cardd::test {

// Generator options for a shipped region (Beijing unless named).
inline testdata::GeneratorOptions generator_options(std::uint64_t seed, double invalid_rate = 0.0,
                                                    bool malformed = false, std::string prefix = "",
                                                    const std::string& region = "beijing") {
  return testdata::GeneratorOptions{seed, invalid_rate, malformed, std::move(prefix),
                                    region_places(region)};
}

}  // namespace cardd::test
