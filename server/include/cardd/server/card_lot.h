// A lot of blank cards as the vendor delivers it: an id, the first chip
// serial (8 hex digits: IC serial; 16: CHIP ID, whose first 8 are the
// prefix) and a count. One reading for `cardctl stock add-lot` and
// `POST /api/v1/stock/lots`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/card_repository.h"

namespace cardd::server {

// Errors: config.invalid naming what is wrong.
Result<db::CardLot> parse_card_lot(std::string_view lot, std::string_view first_serial,
                                   std::int64_t count);

// A lot's first serial as written: its prefix and serial, upper-case hex.
std::string first_serial_text(std::string_view chip_prefix, std::uint32_t first_serial);

}  // namespace cardd::server
