#include "jpeg_writer.h"

#include <jpeglib.h>

#include <cstdio>
#include <cstdlib>

namespace cardd::testdata {
namespace {

// libjpeg reports errors by calling error_exit, which must not return. Writing
// to memory can only fail on a programming error (bad parameters), and a C++
// exception must not unwind through libjpeg's C frames, so stop here.
[[noreturn]] void abort_on_error(j_common_ptr cinfo) {
  char message[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, message);
  std::fprintf(stderr, "cardd_testdata: libjpeg: %s\n", message);
  std::abort();
}

// Frees the mem-destination buffer and the compressor on every exit path.
struct Compressor {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr jerr{};
  unsigned char* buffer = nullptr;
  unsigned long size = 0;  // NOLINT(google-runtime-int): libjpeg's type

  Compressor() {
    cinfo.err = jpeg_std_error(&jerr);
    jerr.error_exit = abort_on_error;
    jpeg_create_compress(&cinfo);
  }
  ~Compressor() {
    jpeg_destroy_compress(&cinfo);
    std::free(buffer);  // allocated by libjpeg with malloc
  }
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;
};

}  // namespace

Image::Image(int w, int h, int comps)
    : width(w),
      height(h),
      components(comps),
      pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) *
             static_cast<std::size_t>(comps)) {}

std::string encode_jpeg(const Image& image, int quality) {
  Compressor c;
  jpeg_mem_dest(&c.cinfo, &c.buffer, &c.size);
  c.cinfo.image_width = static_cast<JDIMENSION>(image.width);
  c.cinfo.image_height = static_cast<JDIMENSION>(image.height);
  c.cinfo.input_components = image.components;
  c.cinfo.in_color_space = image.components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&c.cinfo);
  c.cinfo.dct_method = JDCT_ISLOW;
  jpeg_set_quality(&c.cinfo, quality, TRUE);
  jpeg_start_compress(&c.cinfo, TRUE);
  const auto stride =
      static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.components);
  while (c.cinfo.next_scanline < c.cinfo.image_height) {
    // libjpeg takes a non-const row pointer but only reads it.
    auto* row = const_cast<JSAMPLE*>(image.pixels.data() + c.cinfo.next_scanline * stride);
    JSAMPROW rows[1] = {row};
    jpeg_write_scanlines(&c.cinfo, rows, 1);
  }
  jpeg_finish_compress(&c.cinfo);
  return std::string(reinterpret_cast<const char*>(c.buffer), static_cast<std::size_t>(c.size));
}

}  // namespace cardd::testdata
