// Shared helpers of the printer tests: the shipped template, realistic face
// data from the test-data generator, and PNG pixels read back with cairo.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <memory>
#include <string>

#include "cardd/printer/face.h"
#include "cardd/printer/face_template.h"

namespace cardd::printer::test {

std::string template_path();
std::string template_text();
const FaceTemplate& shipped_template();

// Face data for generated application `index` (valid, with a real photo).
FaceData generated_face(std::uint64_t index);

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using Image = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

// Decodes PNG bytes; the surface status is checked by the caller.
Image read_png(const std::string& png);

// Decodes JPEG bytes with libjpeg, independently of the module.
struct Rgb8 {
  double r = 0, g = 0, b = 0;
};
Rgb8 jpeg_mean_colour(const std::string& jpeg);

// Mean colour of a pixel rectangle of an RGB24/ARGB32 image.
Rgb8 mean_colour(cairo_surface_t* image, int x, int y, int w, int h);

// Pixels in the rectangle darker than `luma` (0..255).
int dark_pixels(cairo_surface_t* image, int x, int y, int w, int h, double luma = 128);

// A template element's box in whole pixels, inset by `inset` px.
struct PixelBox {
  int x, y, w, h;
};
PixelBox pixel_box(const FaceTemplate& t, Side side, const std::string& id, int inset = 0);

}  // namespace cardd::printer::test
