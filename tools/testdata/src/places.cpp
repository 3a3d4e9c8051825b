#include "places.h"

#include <array>
#include <cstdio>

namespace cardd::testdata {
namespace {

constexpr std::array<std::string_view, 36> kMobilePrefixes = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "170", "173", "176", "177",
    "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199"};

}  // namespace

std::string make_address(Prng& rng, const RegionPlaces& places, const PlaceDistrict& district) {
  const std::string_view street = rng.pick(std::span<const std::string>(district.streets));
  std::string out = places.city;
  out += district.name;
  out += street;
  char buf[96];
  if (street.ends_with("村")) {
    // Village houses are numbered along lanes.
    std::snprintf(buf, sizeof buf, "%d排%d号", rng.range(1, 30), rng.range(1, 40));
  } else if (rng.chance(0.6)) {
    std::snprintf(buf, sizeof buf, "%d号院%d号楼%d单元%d%02d", rng.range(1, 199), rng.range(1, 24),
                  rng.range(1, 6), rng.range(1, 18), rng.range(1, 4));
  } else {
    std::snprintf(buf, sizeof buf, "%d号楼%d门%d%02d号", rng.range(1, 30), rng.range(1, 8),
                  rng.range(1, 6), rng.range(1, 3));
  }
  out += buf;
  return out;
}

std::string make_branch(Prng& rng, std::string_view bank, std::string_view district_code) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*s-%.*s-%03d", static_cast<int>(bank.size()), bank.data(),
                static_cast<int>(district_code.size()), district_code.data(), rng.range(1, 24));
  return buf;
}

std::string make_mobile(Prng& rng) {
  std::string out(rng.pick(kMobilePrefixes));
  for (int i = 0; i < 8; ++i) out += static_cast<char>('0' + rng.below(10));
  return out;
}

}  // namespace cardd::testdata
