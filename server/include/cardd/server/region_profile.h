// A region's card profile: its chip layout (profiles/<region>/chip.toml)
// completed with what the region decides (region.toml): the region and
// vendor codes written on the chip, the banks and their BINs, and the civil
// time of the issue date. One place for each fact, joined here.
#pragma once

#include <filesystem>

#include "cardd/common/result.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/region/region.h"

namespace cardd::server {

// `profile` with its issuer's region code, vendor code, banks and civil time
// taken from `region`.
personalization::CardProfile with_region_issuer(personalization::CardProfile profile,
                                                const region::Region& region);

// Loads `chip_profile` (the region's chip.toml when empty) and completes it
// from `region`. Errors: personalization::ProfileError.
Result<personalization::CardProfile> load_region_profile(
    const region::Region& region, const std::filesystem::path& chip_profile = {});

}  // namespace cardd::server
