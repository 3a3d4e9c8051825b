#include "images.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "jpeg_writer.h"
#include "prng.h"

namespace cardd::testdata {
namespace {

struct Rgb {
  double r = 0;
  double g = 0;
  double b = 0;
};

Rgb mix(Rgb a, Rgb b, double t) {
  return Rgb{a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

std::uint8_t clamp_byte(double v) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

// A colour canvas in doubles; noise and grey conversion happen on the way out.
class Canvas {
 public:
  Canvas(int w, int h)
      : w_(w), h_(h), px_(static_cast<std::size_t>(w) * static_cast<std::size_t>(h)) {}
  int width() const { return w_; }
  int height() const { return h_; }
  Rgb& at(int x, int y) {
    return px_[static_cast<std::size_t>(y) * static_cast<std::size_t>(w_) +
               static_cast<std::size_t>(x)];
  }

  // Paints every pixel inside the ellipse (optionally only above/below a
  // line), blending `alpha` of the colour in.
  void ellipse(double cx, double cy, double rx, double ry, Rgb colour, double alpha = 1.0,
               double min_y = -1e9, double max_y = 1e9) {
    const int y0 = std::max(0, static_cast<int>(std::floor(std::max(cy - ry, min_y))));
    const int y1 = std::min(h_ - 1, static_cast<int>(std::ceil(std::min(cy + ry, max_y))));
    const int x0 = std::max(0, static_cast<int>(std::floor(cx - rx)));
    const int x1 = std::min(w_ - 1, static_cast<int>(std::ceil(cx + rx)));
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const double dx = (x - cx) / rx;
        const double dy = (y - cy) / ry;
        if (dx * dx + dy * dy <= 1.0) at(x, y) = mix(at(x, y), colour, alpha);
      }
    }
  }

  void rect(int x0, int y0, int x1, int y1, Rgb colour, double alpha = 1.0) {
    for (int y = std::max(0, y0); y < std::min(h_, y1); ++y) {
      for (int x = std::max(0, x0); x < std::min(w_, x1); ++x)
        at(x, y) = mix(at(x, y), colour, alpha);
    }
  }

  // Encodes with per-pixel grain of +-amplitude (same pattern for a seed).
  std::string encode(int components, int quality, int amplitude, std::uint64_t noise_seed) const {
    return Grainy(*this, components, noise_seed).encode(quality, amplitude);
  }

  // The canvas as bytes plus a fixed grain pattern, so that trying several
  // grain strengths costs one pass over integers each.
  class Grainy {
   public:
    Grainy(const Canvas& c, int components, std::uint64_t noise_seed)
        : base_(c.w_, c.h_, components), noise_(base_.pixels.size()) {
      Prng rng(noise_seed);
      std::size_t k = 0;
      for (const Rgb& p : c.px_) {
        const std::uint64_t bits = rng.next();
        // One unit of amplitude is 64 steps; the grain is mostly luminance.
        const auto grain = [&](int shift) {
          return static_cast<int>((bits >> shift) & 0xFFU) - 128;
        };
        if (components == 1) {
          base_.pixels[k] = clamp_byte(0.299 * p.r + 0.587 * p.g + 0.114 * p.b);
          noise_[k++] = static_cast<std::int16_t>(grain(0) / 2);
        } else {
          const double channels[3] = {p.r, p.g, p.b};
          for (int ch = 0; ch < 3; ++ch) {
            base_.pixels[k] = clamp_byte(channels[ch]);
            noise_[k++] = static_cast<std::int16_t>((grain(0) * 10 + grain(8 * (ch + 1)) * 3) / 20);
          }
        }
      }
    }

    std::string encode(int quality, int amplitude) const {
      if (amplitude == 0) return encode_jpeg(base_, quality);
      Image image = base_;
      for (std::size_t k = 0; k < image.pixels.size(); ++k) {
        const int v = image.pixels[k] + noise_[k] * amplitude / 64;
        image.pixels[k] = static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
      }
      return encode_jpeg(image, quality);
    }

   private:
    Image base_;
    std::vector<std::int16_t> noise_;
  };

 private:
  int w_;
  int h_;
  std::vector<Rgb> px_;
};

Rgb jitter(Prng& rng, Rgb c, double amount) {
  const auto d = [&] { return (rng.unit() * 2.0 - 1.0) * amount; };
  return Rgb{c.r + d(), c.g + d(), c.b + d()};
}

// A retiree's ID-style portrait: plain light background, grey or dark hair,
// dark jacket, head filling the upper middle as the photo rules ask.
Canvas draw_portrait(Prng& rng, int w, int h) {
  Canvas c(w, h);
  const double sx = w / 358.0;
  const double sy = h / 441.0;
  static constexpr Rgb kBackgrounds[] = {{250, 250, 250}, {232, 240, 250}, {215, 232, 248}};
  const Rgb bg = jitter(rng, kBackgrounds[rng.below(3)], 4);
  for (int y = 0; y < h; ++y) {
    const Rgb row = mix(bg, Rgb{bg.r - 18, bg.g - 14, bg.b - 8}, static_cast<double>(y) / h);
    for (int x = 0; x < w; ++x) c.at(x, y) = row;
  }
  static constexpr Rgb kClothes[] = {
      {40, 45, 60}, {70, 70, 75}, {110, 40, 40}, {60, 80, 110}, {95, 85, 70}};
  static constexpr Rgb kSkin[] = {
      {226, 190, 160}, {214, 172, 140}, {200, 160, 128}, {235, 200, 175}};
  static constexpr Rgb kHair[] = {{30, 28, 28}, {90, 88, 86}, {150, 148, 145}, {200, 198, 195}};
  const Rgb clothes = jitter(rng, kClothes[rng.below(5)], 10);
  const Rgb skin = jitter(rng, kSkin[rng.below(4)], 8);
  const Rgb hair = jitter(rng, kHair[rng.below(4)], 6);
  const double cx = (179 + rng.range(-8, 8)) * sx;
  const double head_y = (195 + rng.range(-8, 8)) * sy;
  const double head_rx = (78 + rng.range(-6, 6)) * sx;
  const double head_ry = (102 + rng.range(-6, 6)) * sy;

  c.ellipse(cx, 470 * sy, 190 * sx, 135 * sy, clothes);                          // shoulders
  c.ellipse(cx, 410 * sy, 34 * sx, 70 * sy, Rgb{240, 240, 240}, 0.9, 340 * sy);  // collar
  c.rect(static_cast<int>(cx - 38 * sx), static_cast<int>(head_y + 60 * sy),
         static_cast<int>(cx + 38 * sx), static_cast<int>(head_y + 140 * sy),
         mix(skin, clothes, 0.15));
  c.ellipse(cx, head_y - 12 * sy, head_rx + 8 * sx, head_ry * 0.95, hair);  // hair
  c.ellipse(cx - head_rx, head_y + 8 * sy, 12 * sx, 22 * sy, skin);         // ears
  c.ellipse(cx + head_rx, head_y + 8 * sy, 12 * sx, 22 * sy, skin);
  c.ellipse(cx, head_y + 10 * sy, head_rx, head_ry, skin, 1.0, head_y - 52 * sy);  // face
  // Soft shading: darker towards the edges of the face.
  c.ellipse(cx + 20 * sx, head_y + 30 * sy, head_rx * 0.7, head_ry * 0.8, Rgb{255, 235, 220}, 0.12);
  for (int side = -1; side <= 1; side += 2) {
    const double ex = cx + side * 30 * sx;
    c.ellipse(ex, head_y - 30 * sy, 20 * sx, 4 * sy, mix(hair, Rgb{20, 20, 20}, 0.5));  // brows
    c.ellipse(ex, head_y - 8 * sy, 14 * sx, 6 * sy, Rgb{245, 245, 240});                // eyes
    c.ellipse(ex, head_y - 8 * sy, 5 * sx, 5 * sy, Rgb{35, 25, 20});
  }
  c.ellipse(cx, head_y + 30 * sy, 9 * sx, 20 * sy, mix(skin, Rgb{150, 100, 80}, 0.2));  // nose
  c.ellipse(cx, head_y + 62 * sy, 24 * sx, 6 * sy, Rgb{170, 90, 85}, 0.8);              // mouth
  // Wrinkles and folds: thin faint lines give the texture a real face has.
  for (int i = 0; i < 3; ++i) {
    const double ly = head_y - 48 * sy + i * 5 * sy;
    c.ellipse(cx, ly, 34 * sx, 1.2 * sy, mix(skin, Rgb{120, 80, 60}, 0.3), 0.4);
  }
  return c;
}

// Encodes with more and more grain until the file reaches `min_bytes`.
std::string encode_at_least(const Canvas& c, int components, std::size_t min_bytes,
                            std::uint64_t noise_seed) {
  const Canvas::Grainy grainy(c, components, noise_seed);
  for (int amplitude = 2;; ++amplitude) {
    std::string jpeg = grainy.encode(90, amplitude);
    if (jpeg.size() >= min_bytes) return jpeg;
  }
}

// Target a little above the limit, varied per photo, so sizes look natural.
std::size_t target_size(Prng& rng) {
  return kPhotoMinBytes + 512 + static_cast<std::size_t>(rng.below(12 * 1024));
}

// A photo of a size drawn from `rng`. The grain's seed is drawn first, in a
// statement of its own: a call's arguments are evaluated in an order of the
// compiler's choosing, and a seed must give the same photo with any.
std::string encode_drawn(const Canvas& c, int components, Prng& rng) {
  const std::uint64_t noise_seed = rng.next();
  return encode_at_least(c, components, target_size(rng), noise_seed);
}

}  // namespace

std::string make_photo(std::uint64_t seed) {
  Prng rng(seed);
  const Canvas c = draw_portrait(rng, kPhotoWidth, kPhotoHeight);
  return encode_drawn(c, 3, rng);
}

std::string make_photo_wrong_dimensions(std::uint64_t seed) {
  Prng rng(seed);
  // Common wrong exports: a 3:4 crop, sides swapped, and 2x resolution.
  static constexpr int kSizes[][2] = {{300, 400}, {441, 358}, {360, 480}, {716, 882}};
  const auto& size = kSizes[rng.below(4)];
  const Canvas c = draw_portrait(rng, size[0], size[1]);
  return encode_drawn(c, 3, rng);
}

std::string make_photo_too_small(std::uint64_t seed) {
  Prng rng(seed);
  const Canvas c = draw_portrait(rng, kPhotoWidth, kPhotoHeight);
  const Canvas::Grainy smooth(c, 3, rng.next());
  for (int quality = 50;; quality -= 10) {
    std::string jpeg = smooth.encode(quality, 0);
    if (jpeg.size() < kPhotoMinBytes || quality <= 10) return jpeg;
  }
}

std::string make_photo_not_jpeg(std::uint64_t seed) {
  Prng rng(seed);
  std::string bytes = "\x89PNG\r\n\x1a\n";
  bytes += std::string("\0\0\0\x0dIHDR", 8);
  const std::size_t junk = 2048 + static_cast<std::size_t>(rng.below(4096));
  for (std::size_t i = 0; i < junk; ++i) bytes += static_cast<char>(rng.next() & 0xFFU);
  return bytes;
}

std::string make_photo_greyscale(std::uint64_t seed) {
  Prng rng(seed);
  const Canvas c = draw_portrait(rng, kPhotoWidth, kPhotoHeight);
  return encode_drawn(c, 1, rng);
}

std::string make_id_front(std::uint64_t seed) {
  // The side with the holder's portrait: pale blue guilloche, text lines on
  // the left, the photo on the right.
  Prng rng(seed);
  Canvas c(428, 270);
  const double phase = rng.unit() * 6.28;
  for (int y = 0; y < c.height(); ++y) {
    for (int x = 0; x < c.width(); ++x) {
      const double wave = std::sin(x * 0.05 + phase + std::sin(y * 0.04) * 2.0) * 0.5 + 0.5;
      c.at(x, y) = mix(Rgb{236, 242, 246}, Rgb{205, 222, 236}, wave * 0.6);
    }
  }
  for (int line = 0; line < 6; ++line) {
    const int y = 36 + line * 34;
    const int length = line == 4 ? 190 : rng.range(60, 180);
    c.rect(40, y, 40 + 36, y + 12, Rgb{90, 110, 140});         // label
    c.rect(90, y, 90 + length, y + 14, Rgb{25, 25, 30}, 0.9);  // value
  }
  Canvas face = draw_portrait(rng, 110, 136);
  for (int y = 0; y < face.height(); ++y) {
    for (int x = 0; x < face.width(); ++x) c.at(290 + x, 50 + y) = face.at(x, y);
  }
  return c.encode(3, 75, 2, rng.next());
}

std::string make_id_back(std::uint64_t seed) {
  // The issuing side: national emblem top left, title, validity lines.
  Prng rng(seed);
  Canvas c(428, 270);
  const double phase = rng.unit() * 6.28;
  for (int y = 0; y < c.height(); ++y) {
    for (int x = 0; x < c.width(); ++x) {
      const double wave = std::sin(y * 0.06 + phase + std::cos(x * 0.03) * 2.0) * 0.5 + 0.5;
      c.at(x, y) = mix(Rgb{240, 238, 228}, Rgb{222, 228, 236}, wave * 0.7);
    }
  }
  c.ellipse(70, 70, 42, 42, Rgb{200, 30, 30});
  c.ellipse(70, 70, 26, 26, Rgb{240, 200, 60});
  c.rect(140, 50, 390, 74, Rgb{30, 30, 35}, 0.9);
  c.rect(170, 92, 360, 110, Rgb{30, 30, 35}, 0.9);
  c.rect(60, 185, 110, 197, Rgb{90, 110, 140});
  c.rect(130, 184, 130 + rng.range(120, 220), 198, Rgb{25, 25, 30}, 0.9);
  c.rect(60, 220, 110, 232, Rgb{90, 110, 140});
  c.rect(130, 219, 330, 233, Rgb{25, 25, 30}, 0.9);
  return c.encode(3, 75, 2, rng.next());
}

}  // namespace cardd::testdata
