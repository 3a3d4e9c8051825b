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
  // One draw per statement, last number first: the order of a call's
  // arguments is the compiler's choice, and a seed must give the same
  // addresses with any.
  char buf[96];
  if (street.ends_with("村")) {
    // Village houses are numbered along lanes.
    const int house = rng.range(1, 40);
    const int lane = rng.range(1, 30);
    std::snprintf(buf, sizeof buf, "%d排%d号", lane, house);
  } else if (rng.chance(0.6)) {
    const int flat = rng.range(1, 4);
    const int floor = rng.range(1, 18);
    const int entrance = rng.range(1, 6);
    const int building = rng.range(1, 24);
    const int compound = rng.range(1, 199);
    std::snprintf(buf, sizeof buf, "%d号院%d号楼%d单元%d%02d", compound, building, entrance, floor,
                  flat);
  } else {
    const int flat = rng.range(1, 3);
    const int floor = rng.range(1, 6);
    const int door = rng.range(1, 8);
    const int building = rng.range(1, 30);
    std::snprintf(buf, sizeof buf, "%d号楼%d门%d%02d号", building, door, floor, flat);
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
