// Baseline JPEG encoding through libjpeg(-turbo).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cardd::testdata {

// Pixels row by row; 3 bytes (R, G, B) per pixel for colour, 1 for grey.
struct Image {
  int width = 0;
  int height = 0;
  int components = 3;
  std::vector<std::uint8_t> pixels;

  Image(int w, int h, int comps);
  std::uint8_t* at(int x, int y) {
    return pixels.data() + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                            static_cast<std::size_t>(x)) *
                               static_cast<std::size_t>(components);
  }
};

// Baseline (SOF0), 8-bit, YCbCr for colour and one component for grey, with
// 4:2:0 chroma subsampling; deterministic for a given libjpeg build.
std::string encode_jpeg(const Image& image, int quality);

}  // namespace cardd::testdata
