// Addresses, branch codes and mobile numbers, from a region's places
// (region_places.h).
#pragma once

#include <string>
#include <string_view>

#include "cardd/testdata/region_places.h"
#include "prng.h"

namespace cardd::testdata {

// "<city><district><street>88号院3号楼2单元501" style, well under 120 characters.
std::string make_address(Prng& rng, const RegionPlaces& places, const PlaceDistrict& district);

// "<BANK>-<district code>-001": bank, district of the branch, branch number.
std::string make_branch(Prng& rng, std::string_view bank, std::string_view district_code);

// Mainland mobile number, "1[3-9]" + 9 digits, with real carrier prefixes.
std::string make_mobile(Prng& rng);

}  // namespace cardd::testdata
