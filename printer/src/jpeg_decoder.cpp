#include "jpeg_decoder.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include "cardd/printer/error.h"

namespace cardd::printer::detail {
namespace {

constexpr JDIMENSION kMaxSide = 4096;

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

extern "C" void on_error(j_common_ptr info) {
  auto* err = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings (level -1) are kept; trace messages are dropped.
extern "C" void on_message(j_common_ptr info, int level) {
  auto* err = reinterpret_cast<ErrorManager*>(info->err);
  if (level < 0 && err->pub.num_warnings++ == 0) (*info->err->format_message)(info, err->message);
}

// Owns the decompressor for the whole decode, so that the longjmp out of
// libjpeg below skips no C++ destructor.
class Decompressor {
 public:
  Decompressor() {
    info_.err = jpeg_std_error(&err_.pub);
    err_.pub.error_exit = on_error;
    err_.pub.emit_message = on_message;
    err_.message[0] = '\0';
    jpeg_create_decompress(&info_);
  }
  ~Decompressor() { jpeg_destroy_decompress(&info_); }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  jpeg_decompress_struct& info() { return info_; }
  ErrorManager& err() { return err_; }

 private:
  ErrorManager err_{};
  jpeg_decompress_struct info_{};
};

// Only trivially destructible locals here: libjpeg may longjmp back to the
// setjmp. `out` lives in the caller's frame.
bool run(Decompressor& d, std::string_view bytes, int min_width, int min_height, SurfacePtr& out) {
  jpeg_decompress_struct& info = d.info();
  if (setjmp(d.err().jump) != 0) return false;
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  if (info.image_width == 0 || info.image_height == 0 || info.image_width > kMaxSide ||
      info.image_height > kMaxSide) {
    std::snprintf(d.err().message, sizeof d.err().message, "image of %ux%u px is out of range",
                  info.image_width, info.image_height);
    return false;
  }
  // libjpeg-turbo writes cairo's native 32-bit layout directly.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  info.out_color_space = JCS_EXT_BGRX;
#else
  info.out_color_space = JCS_EXT_XRGB;
#endif
  info.dct_method = JDCT_ISLOW;  // exact and the same on every CPU
  // Power-of-two scales only: libjpeg-turbo's SIMD paths serve 8/8, and the
  // other sizes (6/8, 7/8 …) run in plain C, slower than decoding in full.
  info.scale_denom = 8;
  for (info.scale_num = 1; info.scale_num < 8; info.scale_num *= 2) {
    const auto scaled = [&](JDIMENSION v) { return (v * info.scale_num + 7) / 8; };
    if (scaled(info.image_width) >= static_cast<JDIMENSION>(min_width) &&
        scaled(info.image_height) >= static_cast<JDIMENSION>(min_height))
      break;
  }
  jpeg_start_decompress(&info);
  out.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(info.output_width),
                                       static_cast<int>(info.output_height)));
  if (cairo_surface_status(out.get()) != CAIRO_STATUS_SUCCESS) {
    std::snprintf(d.err().message, sizeof d.err().message, "cannot allocate the image");
    return false;
  }
  cairo_surface_flush(out.get());
  unsigned char* data = cairo_image_surface_get_data(out.get());
  const auto stride = static_cast<std::size_t>(cairo_image_surface_get_stride(out.get()));
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = data + stride * info.output_scanline;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  cairo_surface_mark_dirty(out.get());
  return d.err().pub.num_warnings == 0;
}

}  // namespace

Result<SurfacePtr> decode_jpeg(std::string_view bytes, int min_width, int min_height) {
  if (bytes.empty()) return make_error(PrinterError::photo_invalid, "no photo data");
  Decompressor d;
  SurfacePtr out;
  if (!run(d, bytes, std::max(min_width, 0), std::max(min_height, 0), out))
    return make_error(PrinterError::photo_invalid,
                      std::string("cannot decode the JPEG: ") + d.err().message);
  return out;
}

}  // namespace cardd::printer::detail
