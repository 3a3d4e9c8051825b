#include "cardd/server/card_lot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "cardd/server/service_config.h"

namespace cardd::server {

Result<db::CardLot> parse_card_lot(std::string_view lot, std::string_view first_serial,
                                   std::int64_t count) {
  if (lot.empty() || lot.size() > 64)
    return make_error(ConfigError::invalid, "lot: 1 to 64 characters");
  const bool hex = std::all_of(first_serial.begin(), first_serial.end(),
                               [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (!hex || (first_serial.size() != 8 && first_serial.size() != 16))
    return make_error(ConfigError::invalid,
                      "first serial: 8 (IC serial) or 16 (CHIP ID) hex digits");
  std::string serial(first_serial);
  for (char& c : serial) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  db::CardLot out;
  out.lot = std::string(lot);
  if (serial.size() == 16) out.chip_prefix = serial.substr(0, 8);
  out.first_serial =
      static_cast<std::uint32_t>(std::stoul(serial.substr(serial.size() - 8), nullptr, 16));
  out.count = count;
  if (count <= 0 || static_cast<std::int64_t>(out.first_serial) + count > 0x1'0000'0000LL)
    return make_error(ConfigError::invalid, "count: positive, and within 32-bit serials");
  return out;
}

std::string first_serial_text(std::string_view chip_prefix, std::uint32_t first_serial) {
  return fmt::format("{}{:08X}", chip_prefix, first_serial);
}

}  // namespace cardd::server
