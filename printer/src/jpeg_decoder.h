// JPEG → cairo RGB24 image surface, with libjpeg-turbo. Any libjpeg warning
// (truncated data, corrupt entropy data) counts as a failure: a damaged photo
// must not reach a card half grey.
#pragma once

#include <string_view>

#include "cardd/common/result.h"
#include "handles.h"

namespace cardd::printer::detail {

// Decodes at the smallest of the scales 1/8, 1/4, 1/2 and 1 that still
// covers min_width × min_height (0 × 0: full size). A photo up to 16 times
// the size asked for comes out at most twice it, so a bilinear scale to the
// box still reads every pixel.
// Errors: PrinterError::photo_invalid with libjpeg's reason.
Result<SurfacePtr> decode_jpeg(std::string_view bytes, int min_width = 0, int min_height = 0);

}  // namespace cardd::printer::detail
