#include "cardd/testdata/generator.h"

#include <cstdio>
#include <thread>
#include <utility>

#include "application.h"
#include "cardd/common/base64.h"
#include "images.h"
#include "prng.h"

namespace cardd::testdata {
namespace {

// Independent random streams per (seed, index): the content of a valid
// application does not depend on invalid_rate, and pools do not depend on
// how many applications are made.
enum Stream : std::uint64_t {
  kContent = 1,
  kDecision = 2,
  kBreak = 3,
  kPhotoPool = 10,
  kFrontPool = 11,
  kBackPool = 12,
  kDimensionsPool = 13,
  kTooSmallPool = 14,
  kNotJpegPool = 15,
  kGreyscalePool = 16,
};

constexpr std::size_t kPhotos = 16;
constexpr std::size_t kIdImages = 8;
constexpr std::size_t kBrokenPhotos = 4;

// In a function, not a global: invalid_kinds() may be called during the
// static initialization of another translation unit.
std::vector<std::string> without_malformed() {
  return {
      "id_number.checksum",
      "id_number.birth_date_mismatch",
      "gender.mismatch",
      "photo.dimensions",
      "photo.too_small",
      "photo.not_jpeg",
      "photo.colour_space",
      "mobile.format",
      "recipient.missing",
      "collection.not_allowed_for_channel",
      "issuing_bank.must_equal_pension_bank",
      "name.invalid_character",
      "residence_district.unknown_value",
      "consents.declaration_not_agreed",
      "submitted_at.in_future",
      "id_type.unsupported",
      "recipient.postal_code.format",
  };
}

std::vector<std::string> with_malformed() {
  std::vector<std::string> kinds = without_malformed();
  kinds.emplace_back("json.malformed");
  return kinds;
}

using ImageMaker = std::string (*)(std::uint64_t);

std::vector<std::string> make_images(std::uint64_t seed, Stream stream, std::size_t count,
                                     ImageMaker maker) {
  std::vector<std::string> images(count);
  for (std::size_t i = 0; i < count; ++i) {
    images[i] = base64_encode(maker(mix_seed(seed, stream, i)));
  }
  return images;
}

ImagePool build_pool(std::uint64_t seed, bool broken_photos) {
  ImagePool pool;
  // JPEG synthesis is the slow part of construction; the portraits take two
  // cores' worth, everything else runs alongside.
  std::thread photos_thread(
      [&] { pool.photos = make_images(seed, kPhotoPool, kPhotos, make_photo); });
  pool.id_fronts = make_images(seed, kFrontPool, kIdImages, make_id_front);
  pool.id_backs = make_images(seed, kBackPool, kIdImages, make_id_back);
  if (broken_photos) {
    pool.wrong_dimensions =
        make_images(seed, kDimensionsPool, kBrokenPhotos, make_photo_wrong_dimensions);
    pool.too_small = make_images(seed, kTooSmallPool, kBrokenPhotos, make_photo_too_small);
    pool.not_jpeg = make_images(seed, kNotJpegPool, kBrokenPhotos, make_photo_not_jpeg);
    pool.greyscale = make_images(seed, kGreyscalePool, kBrokenPhotos, make_photo_greyscale);
  }
  photos_thread.join();
  return pool;
}

std::string application_id(const GeneratorOptions& options, std::uint64_t index) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "-%llu-%08llu", static_cast<unsigned long long>(options.seed),
                static_cast<unsigned long long>(index));
  return (options.id_prefix.empty() ? options.places->id_prefix : options.id_prefix) + buf;
}

// Cuts the line inside the photo's base64, so what remains is plain ASCII up
// to the cut (valid UTF-8) and still starts with the application id.
std::string truncate_json(Prng& rng, const std::string& json) {
  const std::string key = "\"photo\":\"";
  const std::size_t start = json.find(key) + key.size();
  const std::size_t end = json.find('"', start);
  const std::size_t length = end - start;
  return json.substr(0, start + length / 4 + static_cast<std::size_t>(rng.below(length / 2)));
}

}  // namespace

struct Generator::Impl {
  GeneratorOptions options;
  ImagePool pool;
  const std::vector<std::string>* kinds = nullptr;
};

Generator::Generator(GeneratorOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->pool = build_pool(options.seed, options.invalid_rate > 0.0);
  impl_->kinds = &invalid_kinds(options.include_malformed);
  impl_->options = std::move(options);
}

Generator::~Generator() = default;

GeneratedApplication Generator::make(std::uint64_t index) const {
  const GeneratorOptions& options = impl_->options;
  GeneratedApplication out;
  out.application_id = application_id(options, index);

  Prng content(mix_seed(options.seed, index, kContent));
  Application app =
      make_valid_application(content, *options.places, impl_->pool, out.application_id);

  Prng decision(mix_seed(options.seed, index, kDecision));
  if (options.invalid_rate > 0.0 && decision.unit() < options.invalid_rate) {
    const std::vector<std::string>& kinds = *impl_->kinds;
    out.expected_error = kinds[static_cast<std::size_t>(decision.below(kinds.size()))];
  }

  Prng breaker(mix_seed(options.seed, index, kBreak));
  if (!out.expected_error.empty() && out.expected_error != "json.malformed") {
    break_rule(breaker, *options.places, impl_->pool, out.expected_error, app);
  }
  out.json = to_json(app);
  if (out.expected_error == "json.malformed") out.json = truncate_json(breaker, out.json);
  return out;
}

const std::vector<std::string>& Generator::invalid_kinds(bool include_malformed) {
  static const std::vector<std::string> kWith = with_malformed();
  static const std::vector<std::string> kWithout = without_malformed();
  return include_malformed ? kWith : kWithout;
}

}  // namespace cardd::testdata
