#include "printer_test_support.h"

#include <jpeglib.h>
#include <cstdio>

#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "cardd/common/base64.h"
#include "cardd/testdata/generator.h"
#include "regions.h"
#include "test_places.h"

namespace cardd::printer::test {

std::string template_path() { return cardd::test::shipped_region().face_template().string(); }

std::string template_text() {
  std::ifstream in(template_path(), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const FaceTemplate& shipped_template() {
  static const FaceTemplate t = [] {
    auto r = load_face_template(template_path());
    if (!r) throw std::runtime_error(r.error().describe());
    return *r;
  }();
  return t;
}

FaceData generated_face(std::uint64_t index) {
  static const testdata::Generator generator(cardd::test::generator_options(1));
  const auto app = nlohmann::json::parse(generator.make(index).json);
  FaceData d;
  d.name = app.at("name").get<std::string>();
  d.social_security_number = app.at("id_number").get<std::string>();
  d.card_number = "A" + std::to_string(10000000 + index);
  d.issue_year = 2026;
  d.issue_month = 11;
  d.bank_name = "中国工商银行";
  d.service_hotline = "12333";
  d.vendor_code = "V0101";
  d.photo_jpeg = base64_decode(app.at("photo").get<std::string>()).value();
  return d;
}

Image read_png(const std::string& png) {
  struct Reader {
    const std::string* data;
    std::size_t at = 0;
  } reader{&png};
  return Image(cairo_image_surface_create_from_png_stream(
      [](void* closure, unsigned char* out, unsigned int length) {
        auto* r = static_cast<Reader*>(closure);
        if (r->data->size() - r->at < length) return CAIRO_STATUS_READ_ERROR;
        std::copy_n(r->data->data() + r->at, length, out);
        r->at += length;
        return CAIRO_STATUS_SUCCESS;
      },
      &reader));
}

Rgb8 jpeg_mean_colour(const std::string& jpeg) {
  jpeg_decompress_struct info{};
  jpeg_error_mgr err{};
  info.err = jpeg_std_error(&err);
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(jpeg.data()),
               static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  std::vector<unsigned char> row(static_cast<std::size_t>(info.output_width) * 3);
  Rgb8 sum;
  while (info.output_scanline < info.output_height) {
    JSAMPROW p = row.data();
    jpeg_read_scanlines(&info, &p, 1);
    for (std::size_t i = 0; i < row.size(); i += 3) {
      sum.r += row[i];
      sum.g += row[i + 1];
      sum.b += row[i + 2];
    }
  }
  const double n = static_cast<double>(info.output_width) * info.output_height;
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return {sum.r / n, sum.g / n, sum.b / n};
}

namespace {

template <typename F>
void each_pixel(cairo_surface_t* image, int x, int y, int w, int h, F f) {
  cairo_surface_flush(image);
  const unsigned char* data = cairo_image_surface_get_data(image);
  const int stride = cairo_image_surface_get_stride(image);
  for (int j = y; j < y + h; ++j) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + j * stride);
    for (int i = x; i < x + w; ++i) {
      const std::uint32_t px = row[i];
      f((px >> 16) & 0xFF, (px >> 8) & 0xFF, px & 0xFF);
    }
  }
}

}  // namespace

Rgb8 mean_colour(cairo_surface_t* image, int x, int y, int w, int h) {
  Rgb8 sum;
  each_pixel(image, x, y, w, h, [&](std::uint32_t r, std::uint32_t g, std::uint32_t b) {
    sum.r += r;
    sum.g += g;
    sum.b += b;
  });
  const double n = static_cast<double>(w) * h;
  return {sum.r / n, sum.g / n, sum.b / n};
}

int dark_pixels(cairo_surface_t* image, int x, int y, int w, int h, double luma) {
  int n = 0;
  each_pixel(image, x, y, w, h, [&](std::uint32_t r, std::uint32_t g, std::uint32_t b) {
    if (0.299 * r + 0.587 * g + 0.114 * b < luma) ++n;
  });
  return n;
}

PixelBox pixel_box(const FaceTemplate& t, Side side, const std::string& id, int inset) {
  for (const Element& e : t.side(side).elements) {
    if (e.id != id) continue;
    const double mm = t.dpi / 25.4;
    const int x0 = static_cast<int>(std::lround(e.box.x * mm));
    const int y0 = static_cast<int>(std::lround(e.box.y * mm));
    const int x1 = static_cast<int>(std::lround((e.box.x + e.box.width) * mm));
    const int y1 = static_cast<int>(std::lround((e.box.y + e.box.height) * mm));
    return {x0 + inset, y0 + inset, x1 - x0 - 2 * inset, y1 - y0 - 2 * inset};
  }
  throw std::runtime_error("no element " + id);
}

}  // namespace cardd::printer::test
