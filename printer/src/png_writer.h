// PNG encoding of a cairo RGB24 surface: 8-bit RGB, one IDAT, a pHYs chunk
// with the resolution, nothing time-dependent. cairo's own writer (libpng,
// zlib's default level, adaptive filters) costs ~10 ms for a blank 1011×638
// card side and ~17 ms for a back with a photo, which alone would cap a core
// at ~35 faces/s. Ours: libdeflate at a chosen level (rows filtered None), or
// the run encoder (run_deflate.h, rows filtered Sub), ~3× faster again on a
// card's back for ~1.5× the bytes.
#pragma once

#include <cairo.h>

#include <memory>
#include <string>
#include <vector>

#include "cardd/common/result.h"
#include "run_deflate.h"

struct libdeflate_compressor;

namespace cardd::printer::detail {

// Reuses its buffers between calls; one thread at a time.
class PngEncoder {
 public:
  static constexpr int kRunLevel = -1;

  // level: kRunLevel (the run encoder), or libdeflate 0 (stored) .. 12;
  // dots_per_inch goes into pHYs (0: none).
  PngEncoder(int level, int dots_per_inch);
  ~PngEncoder();
  PngEncoder(PngEncoder&&) noexcept;
  PngEncoder& operator=(PngEncoder&&) noexcept;

  // Errors: PrinterError::internal (surface not RGB24, out of memory).
  Result<std::string> encode(cairo_surface_t* surface);

 private:
  void filter_none(const unsigned char* data, int width, int height, int stride);
  void encode_runs(const unsigned char* data, int width, int height, int stride);

  struct FreeCompressor {
    void operator()(libdeflate_compressor* c) const;
  };
  std::unique_ptr<libdeflate_compressor, FreeCompressor> compressor_;
  RunDeflate run_deflate_;
  int level_;
  int dots_per_inch_;
  std::vector<unsigned char> raw_;
};

}  // namespace cardd::printer::detail
