#include "chip_photo.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <vector>

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include "cardd/personalization/card_data.h"

namespace cardd::personalization {
namespace {

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
};

extern "C" void on_jpeg_error(j_common_ptr info) {
  std::longjmp(reinterpret_cast<ErrorManager*>(info->err)->jump, 1);
}
extern "C" void on_jpeg_message(j_common_ptr, int) {}

// Own libjpeg's objects for the whole call, so the longjmp out of libjpeg
// skips no C++ destructor.
struct Decoder {
  ErrorManager err{};
  jpeg_decompress_struct info{};
  Decoder() {
    info.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_jpeg_error;
    err.pub.emit_message = on_jpeg_message;
    jpeg_create_decompress(&info);
  }
  ~Decoder() { jpeg_destroy_decompress(&info); }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
};

struct Encoder {
  ErrorManager err{};
  jpeg_compress_struct info{};
  unsigned char* out = nullptr;
  unsigned long size = 0;
  Encoder() {
    info.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_jpeg_error;
    err.pub.emit_message = on_jpeg_message;
    jpeg_create_compress(&info);
  }
  ~Encoder() {
    jpeg_destroy_compress(&info);
    std::free(out);  // jpeg_mem_dest's buffer (malloc)
  }
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;
};

constexpr JDIMENSION kMaxSide = 4096;

// Only trivially destructible locals between setjmp and libjpeg's calls.
bool decode(Decoder& d, std::string_view jpeg, std::vector<std::uint8_t>& rgb, JDIMENSION& width,
            JDIMENSION& height) {
  if (setjmp(d.err.jump) != 0) return false;
  jpeg_mem_src(&d.info, reinterpret_cast<const unsigned char*>(jpeg.data()),
               static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&d.info, TRUE);
  if (d.info.image_width == 0 || d.info.image_height == 0 || d.info.image_width > kMaxSide ||
      d.info.image_height > kMaxSide)
    return false;
  d.info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&d.info);
  width = d.info.output_width;
  height = d.info.output_height;
  rgb.resize(static_cast<std::size_t>(width) * height * 3);
  while (d.info.output_scanline < height) {
    JSAMPROW row = rgb.data() + static_cast<std::size_t>(d.info.output_scanline) * width * 3;
    jpeg_read_scanlines(&d.info, &row, 1);
  }
  jpeg_finish_decompress(&d.info);
  return true;
}

bool encode(Encoder& e, const std::vector<std::uint8_t>& rgb, JDIMENSION width, JDIMENSION height,
            int quality) {
  if (setjmp(e.err.jump) != 0) return false;
  jpeg_mem_dest(&e.info, &e.out, &e.size);
  e.info.image_width = width;
  e.info.image_height = height;
  e.info.input_components = 3;
  e.info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&e.info);
  jpeg_set_quality(&e.info, quality, TRUE);
  e.info.dct_method = JDCT_ISLOW;  // the same bytes on every CPU
  jpeg_start_compress(&e.info, TRUE);
  while (e.info.next_scanline < height) {
    auto row = const_cast<JSAMPROW>(rgb.data() +
                                    static_cast<std::size_t>(e.info.next_scanline) * width * 3);
    jpeg_write_scanlines(&e.info, &row, 1);
  }
  jpeg_finish_compress(&e.info);
  return true;
}

}  // namespace

Result<card::Bytes> photo_for_chip(std::string_view jpeg, std::size_t max_bytes) {
  if (jpeg.size() <= max_bytes && !jpeg.empty()) return card::Bytes(jpeg.begin(), jpeg.end());
  std::vector<std::uint8_t> rgb;
  JDIMENSION width = 0, height = 0;
  {
    Decoder d;
    if (jpeg.empty() || !decode(d, jpeg, rgb, width, height))
      return make_error(PrepareError::bad_value, "holder.photo: not a decodable JPEG");
  }
  // The highest quality in 85, 80 .. 20 whose JPEG fits. Sizes fall with
  // quality, so the search starts where a bureau photo usually lands (75 for
  // ~20-35 kB into 16 kB) and walks up or down from there: two encodings
  // where starting from the top took three, the same result.
  const auto encoded = [&](int quality) -> Result<card::Bytes> {
    Encoder e;
    if (!encode(e, rgb, width, height, quality))
      return make_error(PrepareError::bad_value, "holder.photo: cannot re-encode the JPEG");
    return card::Bytes(e.out, e.out + e.size);
  };
  constexpr int kTop = 85, kBottom = 20, kStep = 5, kStart = 75;
  auto at = encoded(kStart);
  if (!at) return at.error();
  if (at->size() <= max_bytes) {
    for (int quality = kStart + kStep; quality <= kTop; quality += kStep) {
      auto better = encoded(quality);
      if (!better) return better.error();
      if (better->size() > max_bytes) break;
      at = std::move(better);
    }
    return at;
  }
  for (int quality = kStart - kStep; quality >= kBottom; quality -= kStep) {
    auto smaller = encoded(quality);
    if (!smaller) return smaller.error();
    if (smaller->size() <= max_bytes) return smaller;
  }
  return make_error(
      PrepareError::too_long,
      "holder.photo: does not fit " + std::to_string(max_bytes) + " bytes even at JPEG quality 20");
}

}  // namespace cardd::personalization
