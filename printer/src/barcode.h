// Code 128 through libzint: the modules of the symbol's one row, to be drawn
// as bars by the caller (so a PDF gets exact vector bars, not a bitmap).
#pragma once

#include <string_view>
#include <vector>

#include "cardd/common/result.h"

namespace cardd::printer::detail {

// true = bar (dark module), start to stop pattern, without quiet zones.
// Errors: barcode_invalid (empty, too long, not printable ASCII).
Result<std::vector<bool>> code128_modules(std::string_view data);

}  // namespace cardd::printer::detail
