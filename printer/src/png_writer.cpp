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

// Scanlines from cairo's native 0xXXRRGGBB, filter None: for libdeflate, as
// small as Sub/Up on card faces and the fastest there.
void PngEncoder::filter_none(const unsigned char* data, int width, int height, int stride) {
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 3 + 1;
  // One byte of slack: each pixel is stored as 4 bytes, 3 apart.
  raw_.resize(row_bytes * static_cast<std::size_t>(height) + 1);
  for (int y = 0; y < height; ++y) {
    unsigned char* out = raw_.data() + row_bytes * static_cast<std::size_t>(y);
    const auto* px = reinterpret_cast<const std::uint32_t*>(data + std::ptrdiff_t{y} * stride);
    *out++ = 0;
    for (int x = 0; x < width; ++x) {
      const std::array<unsigned char, 4> rgb = {static_cast<unsigned char>(px[x] >> 16),
                                                static_cast<unsigned char>(px[x] >> 8),
                                                static_cast<unsigned char>(px[x]), 0};
      std::memcpy(out, rgb.data(), rgb.size());
      out += 3;
    }
  }
  raw_.pop_back();
}

// Scanlines filtered Sub straight into the run encoder: a pixel equal to
// the one before it is three zero bytes, so the flat colour that makes up
// most of a card face is skipped pixel by pixel and never written out.
void PngEncoder::encode_runs(const unsigned char* data, int width, int height, int stride) {
  constexpr std::uint32_t kRgb = 0x00ffffffU;  // cairo leaves the top byte undefined
  const auto n = static_cast<std::size_t>(width);
  run_deflate_.begin();
  for (int y = 0; y < height; ++y) {
    const auto* px = reinterpret_cast<const std::uint32_t*>(data + std::ptrdiff_t{y} * stride);
    run_deflate_.maybe_close_block(n * 3 + 1);
    run_deflate_.byte(1);  // filter type Sub
    std::uint32_t left = 0;
    for (std::size_t x = 0; x < n;) {
      const std::uint32_t v = px[x] & kRgb;
      if (v == left) {  // left of the first pixel is 0 by the filter's definition
        std::size_t end = x + 1;
        // Four pixels a step while they all match; then one by one.
        const std::uint64_t same = std::uint64_t{left} * 0x0000000100000001ULL;
        for (std::uint64_t a = 0, b = 0; end + 4 <= n; end += 4) {
          std::memcpy(&a, px + end, sizeof a);
          std::memcpy(&b, px + end + 2, sizeof b);
          if ((((a ^ same) | (b ^ same)) & 0x00ffffff00ffffffULL) != 0) break;
        }
        while (end < n && (px[end] & kRgb) == left) ++end;
        run_deflate_.zeros(3 * (end - x));
        x = end;
        continue;
      }
      // Each byte minus the same byte a pixel before, no borrow from one
      // byte into the next.
      const std::uint32_t d =
          ((v | 0x80808080U) - (left & 0x7f7f7f7fU)) ^ ((v ^ ~left) & 0x80808080U);
      run_deflate_.literals3(static_cast<unsigned char>(d >> 16),
                             static_cast<unsigned char>(d >> 8), static_cast<unsigned char>(d));
      left = v;
      ++x;
    }
  }
}

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

  const bool runs = level_ == kRunLevel;
  if (runs)
    encode_runs(data, width, height, stride);
  else
    filter_none(data, width, height, stride);
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
    run_deflate_.end(png);
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
