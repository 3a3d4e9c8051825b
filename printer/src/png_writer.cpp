#include "png_writer.h"

#include <libdeflate.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "cardd/printer/error.h"

namespace cardd::printer::detail {
namespace {

void put32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

// Appends length, type, data and CRC; the data is already at out[data_at..].
void close_chunk(std::string& out, std::size_t type_at) {
  const std::size_t length = out.size() - type_at - 4;
  const std::uint32_t crc = libdeflate_crc32(0, out.data() + type_at, out.size() - type_at);
  for (int i = 0; i < 4; ++i)
    out[type_at - 4 + static_cast<std::size_t>(i)] = static_cast<char>(length >> (24 - 8 * i));
  put32(out, crc);
}

std::size_t open_chunk(std::string& out, const char* type) {
  put32(out, 0);  // length, set by close_chunk
  const std::size_t at = out.size();
  out.append(type, 4);
  return at;
}

}  // namespace

void PngEncoder::FreeCompressor::operator()(libdeflate_compressor* c) const {
  libdeflate_free_compressor(c);
}

PngEncoder::PngEncoder(int level, int dots_per_inch)
    : compressor_(level == kRunLevel ? nullptr : libdeflate_alloc_compressor(level)),
      level_(level),
      dots_per_inch_(dots_per_inch) {}
PngEncoder::~PngEncoder() = default;
PngEncoder::PngEncoder(PngEncoder&&) noexcept = default;
PngEncoder& PngEncoder::operator=(PngEncoder&&) noexcept = default;

Result<std::string> PngEncoder::encode(cairo_surface_t* surface) {
  if (!compressor_ && level_ != kRunLevel)
    return make_error(PrinterError::internal, "no libdeflate compressor");
  if (cairo_image_surface_get_format(surface) != CAIRO_FORMAT_RGB24)
    return make_error(PrinterError::internal, "the PNG encoder expects an RGB24 surface");
  cairo_surface_flush(surface);
  const int width = cairo_image_surface_get_width(surface);
  const int height = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 3 + 1;

  // Scanlines from cairo's native 0xXXRRGGBB: filter None for libdeflate
  // (as small as Sub/Up on card faces, and the fastest there); Sub for the
  // run encoder, which turns every flat colour into a run of zeros.
  const bool runs = level_ == kRunLevel;
  // One byte of slack: each pixel is stored as 4 bytes, 3 apart.
  raw_.resize(row_bytes * static_cast<std::size_t>(height) + 1);
  for (int y = 0; y < height; ++y) {
    unsigned char* out = raw_.data() + row_bytes * static_cast<std::size_t>(y);
    const auto* px = reinterpret_cast<const std::uint32_t*>(data + std::ptrdiff_t{y} * stride);
    *out++ = runs ? 1 : 0;
    for (int x = 0; x < width; ++x) {
      // Sub: each byte minus the same byte a pixel before, no borrow from
      // one byte into the next.
      const std::uint32_t v = px[x], left = runs && x > 0 ? px[x - 1] : 0;
      const std::uint32_t d =
          ((v | 0x80808080U) - (left & 0x7f7f7f7fU)) ^ ((v ^ ~left) & 0x80808080U);
      const std::array<unsigned char, 4> rgb = {static_cast<unsigned char>(d >> 16),
                                                static_cast<unsigned char>(d >> 8),
                                                static_cast<unsigned char>(d), 0};
      std::memcpy(out, rgb.data(), rgb.size());
      out += 3;
    }
  }
  raw_.pop_back();

  std::string png;
  png.append("\x89PNG\r\n\x1a\n", 8);
  std::size_t at = open_chunk(png, "IHDR");
  put32(png, static_cast<std::uint32_t>(width));
  put32(png, static_cast<std::uint32_t>(height));
  png.append("\x08\x02\x00\x00\x00", 5);  // 8 bit, RGB, deflate, filter set 0, no interlace
  close_chunk(png, at);
  if (dots_per_inch_ > 0) {
    at = open_chunk(png, "pHYs");
    const auto ppm = static_cast<std::uint32_t>(std::lround(dots_per_inch_ / 0.0254));
    put32(png, ppm);
    put32(png, ppm);
    png.push_back('\x01');  // unit: metre
    close_chunk(png, at);
  }
  at = open_chunk(png, "IDAT");
  if (runs) {
    png.reserve(png.size() + raw_.size() / 4);
    run_deflate_.compress(raw_, png);
  } else {
    const std::size_t bound = libdeflate_zlib_compress_bound(compressor_.get(), raw_.size());
    const std::size_t idat_from = png.size();
    png.resize(idat_from + bound);
    const std::size_t n = libdeflate_zlib_compress(compressor_.get(), raw_.data(), raw_.size(),
                                                   png.data() + idat_from, bound);
    if (n == 0)
      return make_error(PrinterError::internal, "libdeflate could not compress the image");
    png.resize(idat_from + n);
  }
  close_chunk(png, at);
  at = open_chunk(png, "IEND");
  close_chunk(png, at);
  return png;
}

}  // namespace cardd::printer::detail
