// The application parser and validator on arbitrary bytes, with the Beijing
// region's rules: every input gets a result, a result carries an application
// exactly when it has no errors, and every error has a code and a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cardd/intake/validator.h"
#include "cardd/region/region.h"

namespace {

cardd::intake::ApplicationValidator& validator() {
  static cardd::intake::ApplicationValidator v([] {
    cardd::intake::ValidatorOptions o;
    auto region = cardd::region::load_region(CARDD_PROFILES "/beijing");
    if (!region) __builtin_trap();
    o.region = region->rules;
    o.clock = [] { return cardd::UnixSeconds{1796083200}; };  // 2026-12-01: inputs replay alike
    return o;
  }());
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto r = validator().validate(std::string_view(reinterpret_cast<const char*>(data), size));
  if (r.valid() != r.application.has_value()) __builtin_trap();
  if (r.valid() && (r.content_hash.size() != 64 || r.application_id.empty())) __builtin_trap();
  for (const auto& e : r.errors)
    if (e.code.empty() || e.message.empty()) __builtin_trap();  // every problem named
  return 0;
}
