#include "chip_photo.h"

#include <algorithm>
#include <array>
#include <csetjmp>
#include <cstdint>
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

// The photo's quantized DCT coefficients, as read, per component.
struct Coefficients {
  jvirt_barray_ptr* arrays = nullptr;
  std::vector<std::vector<JCOEF>> original;
};

// Only trivially destructible locals between setjmp and libjpeg's calls.
bool read(Decoder& d, std::string_view jpeg, Coefficients& c) {
  if (setjmp(d.err.jump) != 0) return false;
  jpeg_mem_src(&d.info, reinterpret_cast<const unsigned char*>(jpeg.data()),
               static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&d.info, TRUE);
  if (d.info.image_width == 0 || d.info.image_height == 0 || d.info.image_width > kMaxSide ||
      d.info.image_height > kMaxSide || (d.info.num_components != 1 && d.info.num_components != 3))
    return false;
  c.arrays = jpeg_read_coefficients(&d.info);
  c.original.resize(static_cast<std::size_t>(d.info.num_components));
  for (int ci = 0; ci < d.info.num_components; ++ci) {
    const jpeg_component_info& comp = d.info.comp_info[ci];
    auto& out = c.original[static_cast<std::size_t>(ci)];
    for (JDIMENSION row = 0; row < comp.height_in_blocks; ++row) {
      JBLOCKARRAY blocks = (*d.info.mem->access_virt_barray)(
          reinterpret_cast<j_common_ptr>(&d.info), c.arrays[ci], row, 1, FALSE);
      const JCOEF* first = blocks[0][0];
      out.insert(out.end(), first, first + std::size_t{comp.width_in_blocks} * DCTSIZE2);
    }
  }
  return true;
}

// The coefficients requantized to `quality`'s tables (never finer than the
// photo's own: that would add bytes, not detail) and written as a baseline
// JPEG with the standard Huffman tables (optimized ones save ~10 % and cost
// twice the time). Working on coefficients skips the inverse and forward
// DCT, colour conversion and resampling of a decode and re-encode (measured:
// the chip photo ~0.45 ms faster per card) and keeps the dimensions exactly.
bool write(Decoder& d, Coefficients& c, Encoder& e, int quality) {
  if (setjmp(e.err.jump) != 0 || setjmp(d.err.jump) != 0) return false;
  jpeg_mem_dest(&e.info, &e.out, &e.size);
  jpeg_copy_critical_parameters(&d.info, &e.info);
  jpeg_set_quality(&e.info, quality, TRUE);
  for (int ci = 0; ci < e.info.num_components; ++ci) {
    e.info.comp_info[ci].quant_tbl_no = ci == 0 ? 0 : 1;
    JQUANT_TBL* to = e.info.quant_tbl_ptrs[e.info.comp_info[ci].quant_tbl_no];
    const JQUANT_TBL* from = d.info.comp_info[ci].quant_table;
    for (int k = 0; k < DCTSIZE2; ++k)
      to->quantval[k] = std::max(to->quantval[k], from->quantval[k]);
  }
  for (int ci = 0; ci < e.info.num_components; ++ci) {
    const jpeg_component_info& comp = d.info.comp_info[ci];
    const UINT16* from = comp.quant_table->quantval;
    const UINT16* to = e.info.quant_tbl_ptrs[e.info.comp_info[ci].quant_tbl_no]->quantval;
    // The factor from[k] / to[k] (at most 1) in 16-bit fixed point, so that
    // the loop below is plain integer arithmetic without overflow.
    std::array<std::int32_t, DCTSIZE2> factor{};
    for (std::size_t k = 0; k < factor.size(); ++k)
      factor[k] = std::min<std::int32_t>(65535, (from[k] * 65536 + to[k] / 2) / to[k]);
    const JCOEF* in = c.original[static_cast<std::size_t>(ci)].data();
    for (JDIMENSION row = 0; row < comp.height_in_blocks; ++row) {
      JBLOCKARRAY blocks = (*d.info.mem->access_virt_barray)(
          reinterpret_cast<j_common_ptr>(&d.info), c.arrays[ci], row, 1, TRUE);
      for (JDIMENSION b = 0; b < comp.width_in_blocks; ++b, in += DCTSIZE2) {
        JCOEF* out = blocks[0][b];
        for (std::size_t k = 0; k < factor.size(); ++k)  // to the nearest step, halves up
          out[k] = static_cast<JCOEF>((in[k] * factor[k] + 32768) >> 16);
      }
    }
  }
  jpeg_write_coefficients(&e.info, c.arrays);
  jpeg_finish_compress(&e.info);
  return true;
}

}  // namespace

Result<card::Bytes> photo_for_chip(std::string_view jpeg, std::size_t max_bytes) {
  if (jpeg.size() <= max_bytes && !jpeg.empty()) return card::Bytes(jpeg.begin(), jpeg.end());
  Decoder d;
  Coefficients coefficients;
  if (jpeg.empty() || !read(d, jpeg, coefficients))
    return make_error(PrepareError::bad_value, "holder.photo: not a decodable JPEG");
  // The highest quality in 85, 80 .. 20 whose JPEG fits. Sizes fall with
  // quality, so the search starts where a bureau photo usually lands (75 for
  // ~20-35 kB into 16 kB) and walks up or down from there: two encodings
  // where starting from the top took three, the same result.
  const auto encoded = [&](int quality) -> Result<card::Bytes> {
    Encoder e;
    if (!write(d, coefficients, e, quality))
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
