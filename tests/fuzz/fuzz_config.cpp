// The service configuration loader on arbitrary text: every input is loaded
// or refused with a message, and a loaded configuration written back as TOML
// (as `cardd --print-config` does) loads again to the same configuration.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cardd/server/service_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = cardd::server::parse_service_config(text, "cardd.toml");
  if (!config) {
    if (config.error().message.empty()) __builtin_trap();
    return 0;
  }
  const std::string written = cardd::server::to_toml(*config);
  auto again = cardd::server::parse_service_config(written, "printed");
  if (!again || cardd::server::to_toml(*again) != written) __builtin_trap();
  return 0;
}
