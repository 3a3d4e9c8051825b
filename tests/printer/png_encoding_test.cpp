// The run encoder and the PNG writer: what zlib and libpng (an independent
// inflater) read back is exactly what went in, on flat, noisy and skewed
// data, across block boundaries, and with codes that need length limiting.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "png_writer.h"
#include "printer_test_support.h"
#include "run_deflate.h"

namespace cardd::printer::test {
namespace {

using detail::huffman_code_lengths;
using detail::PngEncoder;
using detail::RunDeflate;

std::vector<unsigned char> inflate_all(const std::string& stream, std::size_t expected) {
  std::vector<unsigned char> out(expected + 16);
  uLongf size = static_cast<uLongf>(out.size());
  const int rc = uncompress(out.data(), &size, reinterpret_cast<const Bytef*>(stream.data()),
                            static_cast<uLong>(stream.size()));
  EXPECT_EQ(rc, Z_OK) << "zlib refused the stream";
  out.resize(rc == Z_OK ? size : 0);
  return out;
}

void expect_round_trip(const std::vector<unsigned char>& data) {
  RunDeflate deflate;
  std::string stream;
  deflate.compress(data, stream);
  EXPECT_EQ(inflate_all(stream, data.size()), data);
}

std::vector<unsigned char> noise(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned char> out(n);
  for (auto& b : out) b = static_cast<unsigned char>(rng());
  return out;
}

TEST(RunDeflate, EmptyAndTinyInputsInflateBack) {
  expect_round_trip({});
  expect_round_trip({42});
  expect_round_trip({7, 7});
  expect_round_trip({7, 7, 7, 7});
}

TEST(RunDeflate, LongRunsAcrossBlocksInflateBackAndShrink) {
  // Runs longer than a match (258) and than a block (64 KiB), broken by
  // single odd bytes at awkward places.
  std::vector<unsigned char> data(300'000, 0);
  for (std::size_t i : {std::size_t{0}, std::size_t{258}, std::size_t{259}, std::size_t{65'535},
                        std::size_t{65'536}, std::size_t{200'001}})
    data[i] = 9;
  RunDeflate deflate;
  std::string stream;
  deflate.compress(data, stream);
  EXPECT_EQ(inflate_all(stream, data.size()), data);
  EXPECT_LT(stream.size(), data.size() / 100);
}

TEST(RunDeflate, NoiseAndShortRunsInflateBack) {
  auto data = noise(150'000, 1);
  // Runs of every length 1..300 between the noise.
  for (std::size_t length = 1, at = 0; length <= 300 && at + length < data.size();
       at += length * 2 + 1, ++length)
    std::fill_n(data.begin() + static_cast<std::ptrdiff_t>(at), length, data[at]);
  expect_round_trip(data);
}

TEST(RunDeflate, SkewedByteFrequenciesGetLengthLimitedCodes) {
  // Byte k occurs fib(k) times: an unlimited Huffman code would be 25 deep.
  std::vector<unsigned char> data;
  for (std::uint32_t k = 0, a = 1, b = 1; k < 25; ++k, b = a + b, a = b - a)
    data.insert(data.end(), a, static_cast<unsigned char>(k));
  std::shuffle(data.begin(), data.end(), std::mt19937(3));
  expect_round_trip(data);
}

// Kraft's sum of a complete prefix code is exactly 1.
double kraft(const std::vector<std::uint8_t>& lengths) {
  return std::accumulate(lengths.begin(), lengths.end(), 0.0, [](double sum, std::uint8_t l) {
    return l == 0 ? sum : sum + 1.0 / static_cast<double>(1U << l);
  });
}

TEST(RunDeflate, CodeLengthsAreCompleteAndWithinTheLimit) {
  std::vector<std::uint32_t> fib(30);
  for (std::size_t k = 0, a = 1, b = 1; k < fib.size(); ++k, b = a + b, a = b - a)
    fib[k] = static_cast<std::uint32_t>(a);
  for (int limit : {7, 15}) {
    const auto lengths = huffman_code_lengths(fib, limit);
    EXPECT_LE(*std::max_element(lengths.begin(), lengths.end()), limit);
    EXPECT_EQ(std::count(lengths.begin(), lengths.end(), 0), 0);
    EXPECT_DOUBLE_EQ(kraft(lengths), 1.0);
  }
  // Unskewed: the optimal code is kept (four equal symbols: 2 bits each).
  EXPECT_EQ(huffman_code_lengths(std::vector<std::uint32_t>{5, 0, 5, 5, 5}, 15),
            (std::vector<std::uint8_t>{2, 0, 2, 2, 2}));
  // A lone symbol gets a partner so the code is complete.
  const auto lone = huffman_code_lengths(std::vector<std::uint32_t>{0, 0, 9}, 15);
  EXPECT_DOUBLE_EQ(kraft(lone), 1.0);
  EXPECT_EQ(lone[2], 1);
}

// A card-like RGB24 surface: flat colour, a gradient band and a noisy "photo".
Image card_like_surface(int width, int height) {
  Image s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  auto* data = cairo_image_surface_get_data(s.get());
  const int stride = cairo_image_surface_get_stride(s.get());
  std::mt19937 rng(5);
  for (int y = 0; y < height; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + std::ptrdiff_t{y} * stride);
    for (int x = 0; x < width; ++x) {
      std::uint32_t v = 0xeaf2fa;
      if (y > height / 3 && y < height / 2) v = static_cast<std::uint32_t>(x * 255 / width) << 8;
      if (x > width / 2 && y > height / 2) v = rng() & 0xffffff;
      row[x] = v;
    }
  }
  cairo_surface_mark_dirty(s.get());
  return s;
}

std::vector<std::uint32_t> pixels(cairo_surface_t* s) {
  cairo_surface_flush(s);
  std::vector<std::uint32_t> out;
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < cairo_image_surface_get_height(s); ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(cairo_image_surface_get_data(s) +
                                                             std::ptrdiff_t{y} * stride);
    for (int x = 0; x < cairo_image_surface_get_width(s); ++x) out.push_back(row[x] & 0xffffff);
  }
  return out;
}

TEST(PngEncoder, EveryLevelDecodesToTheSamePixels) {
  for (auto [w, h] : {std::pair{1, 1}, {3, 200}, {1011, 638}}) {
    const Image source = card_like_surface(w, h);
    const auto expected = pixels(source.get());
    for (int level : {PngEncoder::kRunLevel, 0, 2}) {
      PngEncoder encoder(level, 300);
      auto png = encoder.encode(source.get());
      ASSERT_TRUE(png.ok()) << png.error().describe();
      const Image back = read_png(*png);
      ASSERT_EQ(cairo_surface_status(back.get()), CAIRO_STATUS_SUCCESS)
          << "level " << level << ", " << w << "x" << h;
      EXPECT_EQ(pixels(back.get()), expected) << "level " << level << ", " << w << "x" << h;
    }
  }
}

TEST(PngEncoder, TheRunEncoderCompressesACardFace) {
  const Image source = card_like_surface(1011, 638);
  PngEncoder runs(PngEncoder::kRunLevel, 300), stored(0, 300);
  auto a = runs.encode(source.get());
  auto b = stored.encode(source.get());
  ASSERT_TRUE(a.ok() && b.ok());
  // A quarter of this surface is incompressible noise: the rest must shrink.
  EXPECT_LT(a->size(), b->size() / 3);
}

}  // namespace
}  // namespace cardd::printer::test
