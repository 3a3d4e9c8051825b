// Reads what validation needs from a JPEG's headers, without decoding the
// image: frame type, dimensions, components, sample precision.
#pragma once

#include <string_view>

namespace cardd::intake {

enum class JpegProblem {
  none,
  not_jpeg,   // no SOI, or markers that make no sense
  truncated,  // headers cut short, or no EOI at the end
  no_frame,   // no SOF before the scan
};

struct JpegInfo {
  unsigned char frame_marker = 0;  // 0xC0 baseline, 0xC2 progressive, ...
  unsigned width = 0;
  unsigned height = 0;
  unsigned components = 0;
  unsigned precision = 0;
  bool baseline_or_progressive() const { return frame_marker == 0xC0 || frame_marker == 0xC2; }
};

struct JpegInspection {
  JpegProblem problem = JpegProblem::none;
  JpegInfo info;
};

JpegInspection inspect_jpeg(std::string_view bytes);

}  // namespace cardd::intake
