#include "image_rules.h"

#include <fmt/format.h>

#include "cardd/common/base64.h"
#include "cardd/intake/validator.h"
#include "jpeg_info.h"

namespace cardd::intake {

std::optional<std::string> read_image(FieldReader& fields, std::string_view name, ImageKind kind) {
  const auto text = fields.required_string(name);
  if (!text) return std::nullopt;
  // Refuse oversized images before spending time decoding them.
  if (text->size() / 4 * 3 > kImageMaxBytes + 2) {
    fields.fail(name, "too_large", fmt::format("must be at most {} bytes", kImageMaxBytes));
    return std::nullopt;
  }
  auto bytes = base64_decode(*text);
  if (!bytes) {
    fields.fail(name, "base64", "is not valid base64 (RFC 4648, with padding, no line breaks)");
    return std::nullopt;
  }
  if (bytes->size() > kImageMaxBytes) {
    fields.fail(name, "too_large", fmt::format("must be at most {} bytes", kImageMaxBytes));
    return std::nullopt;
  }
  const JpegInspection jpeg = inspect_jpeg(*bytes);
  switch (jpeg.problem) {
    case JpegProblem::none:
      break;
    case JpegProblem::truncated:
      fields.fail(name, "truncated", "is a JPEG that is cut short");
      return std::nullopt;
    case JpegProblem::not_jpeg:
    case JpegProblem::no_frame:
      fields.fail(name, "not_jpeg", "is not a JPEG image");
      return std::nullopt;
  }
  if (kind == ImageKind::id_card) return bytes;

  bool ok = true;
  const JpegInfo& info = jpeg.info;
  if (!info.baseline_or_progressive()) {
    fields.fail(name, "encoding", "must be a baseline or progressive JPEG");
    ok = false;
  }
  if (info.precision != 8) {
    fields.fail(name, "bit_depth", fmt::format("must have 8-bit samples (has {})", info.precision));
    ok = false;
  }
  if (info.components != 3) {
    fields.fail(name, "colour_space",
                info.components == 1 ? "must be a colour image (is greyscale)"
                                     : "must be a colour image in YCbCr or RGB (is CMYK/YCCK)");
    ok = false;
  }
  if (info.width != kPhotoWidth || info.height != kPhotoHeight) {
    fields.fail(name, "dimensions",
                fmt::format("must be {}x{} px (is {}x{})", kPhotoWidth, kPhotoHeight, info.width,
                            info.height));
    ok = false;
  }
  if (bytes->size() < kPhotoMinBytes) {
    fields.fail(name, "too_small",
                fmt::format("must be at least {} bytes (is {})", kPhotoMinBytes, bytes->size()));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return bytes;
}

}  // namespace cardd::intake
