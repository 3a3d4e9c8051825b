#include "cardd/server/region_profile.h"

namespace cardd::server {

personalization::CardProfile with_region_issuer(personalization::CardProfile profile,
                                                const region::Region& region) {
  personalization::IssuerSpec& issuer = profile.issuer;
  issuer.region_code = region.code;
  issuer.vendor_code = region.vendor_code;
  issuer.utc_offset = region.utc_offset();
  issuer.banks.clear();
  for (const auto& b : region.banks) issuer.banks.push_back({b.code, b.bin, b.account_digits});
  return profile;
}

Result<personalization::CardProfile> load_region_profile(
    const region::Region& region, const std::filesystem::path& chip_profile) {
  auto profile = personalization::load_card_profile(
      (chip_profile.empty() ? region.chip_profile() : chip_profile).string());
  if (!profile) return profile.error();
  return with_region_issuer(std::move(*profile), region);
}

}  // namespace cardd::server
