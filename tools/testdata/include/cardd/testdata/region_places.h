// What the generator needs to make a region's applications believable, from
// the region's data: its districts, banks and channels (region.toml) and the
// streets, postal codes and id prefix of profiles/<region>/testdata.toml.
#pragma once

#include <string>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/region/region.h"

namespace cardd::testdata {

struct PlaceDistrict {
  std::string code;         // GB/T 2260
  std::string name;         // e.g. "朝阳区"
  std::string postal_code;  // the district's main post office
  std::vector<std::string> streets;
};

struct ChannelShare {
  std::string channel;  // spec/application.md channel name
  double share = 0;     // of all applications
  bool branch = false;  // its applicants may collect at a branch
};

struct RegionPlaces {
  std::string city;        // addresses begin with it (the region's name)
  std::string utc_offset;  // "+08:00": submission times are local
  std::string id_prefix;   // default application id prefix
  std::vector<PlaceDistrict> districts;
  std::vector<std::string> banks;  // bank codes
  std::vector<ChannelShare> channels;
  std::vector<std::string> other_id_areas;     // ID numbers issued elsewhere (15 %)
  std::vector<std::string> unknown_districts;  // district codes the region does not have
  std::vector<std::string> bad_postal_codes;   // postal codes the region refuses
};

// Reads region.testdata() and joins it with `region`. Errors:
// region::RegionError, each problem with file, key and line.
Result<RegionPlaces> load_region_places(const region::Region& region);

}  // namespace cardd::testdata
