#include "jpeg_info.h"

namespace cardd::intake {
namespace {

bool is_frame_marker(unsigned char m) {
  // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

bool is_standalone_marker(unsigned char m) { return m == 0x01 || (m >= 0xD0 && m <= 0xD7); }

bool ends_with_eoi(std::string_view b) {
  // Encoders and upload pipelines sometimes pad the end; tolerate zero bytes.
  std::size_t end = b.size();
  while (end > 2 && b[end - 1] == '\0') --end;
  return end >= 4 && static_cast<unsigned char>(b[end - 2]) == 0xFF &&
         static_cast<unsigned char>(b[end - 1]) == 0xD9;
}

}  // namespace

JpegInspection inspect_jpeg(std::string_view b) {
  JpegInspection result;
  auto at = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
  if (b.size() < 2 || at(0) != 0xFF || at(1) != 0xD8) {
    result.problem = JpegProblem::not_jpeg;
    return result;
  }
  std::size_t pos = 2;
  bool have_frame = false;
  while (true) {
    if (pos + 2 > b.size()) {
      result.problem = JpegProblem::truncated;
      return result;
    }
    if (at(pos) != 0xFF) {
      result.problem = JpegProblem::not_jpeg;
      return result;
    }
    while (pos < b.size() && at(pos) == 0xFF) ++pos;  // fill bytes
    if (pos >= b.size()) {
      result.problem = JpegProblem::truncated;
      return result;
    }
    const unsigned char marker = at(pos++);
    if (is_standalone_marker(marker)) continue;
    if (marker == 0xD8 || marker == 0xD9 || marker == 0x00) {
      result.problem = JpegProblem::not_jpeg;
      return result;
    }
    if (pos + 2 > b.size()) {
      result.problem = JpegProblem::truncated;
      return result;
    }
    const std::size_t length = (static_cast<std::size_t>(at(pos)) << 8) | at(pos + 1);
    if (length < 2) {
      result.problem = JpegProblem::not_jpeg;
      return result;
    }
    if (pos + length > b.size()) {
      result.problem = JpegProblem::truncated;
      return result;
    }
    if (is_frame_marker(marker) && !have_frame) {
      if (length < 8) {
        result.problem = JpegProblem::not_jpeg;
        return result;
      }
      result.info.frame_marker = marker;
      result.info.precision = at(pos + 2);
      result.info.height = (static_cast<unsigned>(at(pos + 3)) << 8) | at(pos + 4);
      result.info.width = (static_cast<unsigned>(at(pos + 5)) << 8) | at(pos + 6);
      result.info.components = at(pos + 7);
      have_frame = true;
    }
    if (marker == 0xDA) {  // start of scan: entropy-coded data follows
      if (!have_frame)
        result.problem = JpegProblem::no_frame;
      else if (!ends_with_eoi(b))
        result.problem = JpegProblem::truncated;
      return result;
    }
    pos += length;
  }
}

}  // namespace cardd::intake
