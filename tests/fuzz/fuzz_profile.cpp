// The region's data loaders on arbitrary text: the card profile (chip.toml),
// the card face template (face.toml) and the region file (region.toml). The
// first byte chooses the loader; every input is loaded or refused with a
// message, nothing else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cardd/personalization/card_profile.h"
#include "cardd/printer/face_template.h"
#include "cardd/region/region.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto refused_plainly = [](const auto& result) {
    if (!result && result.error().message.empty()) __builtin_trap();
  };
  switch (data[0] % 3) {
    case 0:
      refused_plainly(cardd::personalization::parse_card_profile(text, "chip.toml"));
      break;
    case 1:
      refused_plainly(cardd::printer::parse_face_template(text, "face.toml"));
      break;
    default:
      refused_plainly(cardd::region::parse_region(text, "region.toml", CARDD_PROFILES "/beijing"));
      break;
  }
  return 0;
}
