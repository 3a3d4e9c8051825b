// Photo rules on hand-built JPEG headers: the validator reads headers only,
// so a synthetic file with the right markers exercises every branch.
#include <string>

#include "cardd/common/base64.h"
#include "validator_fixture.h"

namespace cardd::intake::test {
namespace {

struct FakeJpeg {
  unsigned char frame = 0xC0;
  unsigned precision = 8;
  unsigned width = 358;
  unsigned height = 441;
  unsigned components = 3;
  std::size_t size = 30000;
  bool eoi = true;

  std::string bytes() const {
    std::string b = "\xFF\xD8";
    auto u16 = [&](unsigned v) {
      b += static_cast<char>(v >> 8);
      b += static_cast<char>(v & 0xFF);
    };
    // A comment segment first, as real encoders write APP0/COM first.
    b += "\xFF\xFE";
    u16(6);
    b += "test";
    b += '\xFF';
    b += static_cast<char>(frame);
    u16(8 + 3 * components);
    b += static_cast<char>(precision);
    u16(height);
    u16(width);
    b += static_cast<char>(components);
    for (unsigned c = 0; c < components; ++c)
      b += std::string{static_cast<char>(c + 1), '\x11', '\x00'};
    b += "\xFF\xDA";
    u16(8);
    b += std::string(6, '\x01');
    while (b.size() + 2 < size) b += '\x55';
    if (eoi) b += "\xFF\xD9";
    return b;
  }
};

class PhotoRules : public ValidatorTest {
 protected:
  ValidationResult with_photo(const std::string& bytes) {
    nlohmann::json j = valid_application();
    j["photo"] = base64_encode(bytes);
    return check(j);
  }
};

TEST_F(PhotoRules, BaselineAndProgressiveColourPhotosPass) {
  EXPECT_TRUE(with_photo(FakeJpeg{}.bytes()).valid()) << codes(with_photo(FakeJpeg{}.bytes()));
  FakeJpeg progressive;
  progressive.frame = 0xC2;
  EXPECT_TRUE(with_photo(progressive.bytes()).valid());
}

TEST_F(PhotoRules, EachRuleHasItsCode) {
  FakeJpeg j;
  j.width = 357;
  EXPECT_TRUE(has_code(with_photo(j.bytes()), "photo.dimensions"));
  j = FakeJpeg{};
  j.components = 1;
  EXPECT_TRUE(has_code(with_photo(j.bytes()), "photo.colour_space"));
  j.components = 4;
  EXPECT_TRUE(has_code(with_photo(j.bytes()), "photo.colour_space"));
  j = FakeJpeg{};
  j.precision = 12;
  j.frame = 0xC1;
  const auto r = with_photo(j.bytes());
  EXPECT_TRUE(has_code(r, "photo.bit_depth")) << codes(r);
  EXPECT_TRUE(has_code(r, "photo.encoding")) << codes(r);
  j = FakeJpeg{};
  j.size = 20 * 1024 - 1;
  EXPECT_TRUE(has_code(with_photo(j.bytes()), "photo.too_small"));
  j.size = 20 * 1024;
  EXPECT_TRUE(with_photo(j.bytes()).valid());
  j.eoi = false;
  EXPECT_TRUE(has_code(with_photo(j.bytes()), "photo.truncated"));
}

TEST_F(PhotoRules, NotAJpegOrNotBase64) {
  EXPECT_TRUE(
      has_code(with_photo("\x89PNG\r\n\x1A\n" + std::string(30000, 'x')), "photo.not_jpeg"));
  EXPECT_TRUE(has_code(with_photo(std::string("\xFF\xD8\xFF", 3)), "photo.truncated"));
  nlohmann::json j = valid_application();
  j["photo"] = "not base64!";
  EXPECT_TRUE(has_code(check(j), "photo.base64"));
  j["photo"] = "";
  EXPECT_TRUE(has_code(check(j), "photo.base64") || has_code(check(j), "photo.not_jpeg"))
      << codes(check(j));
}

TEST_F(PhotoRules, SizeLimitIsEightPointSevenFiveMebibytes) {
  FakeJpeg j;
  j.size = kImageMaxBytes;
  EXPECT_TRUE(with_photo(j.bytes()).valid());
  j.size = kImageMaxBytes + 4;
  EXPECT_TRUE(has_code(with_photo(j.bytes()), "photo.too_large"));
}

TEST_F(PhotoRules, IdCardImagesMustBeJpegs) {
  nlohmann::json j = valid_application();
  j["id_front"] = base64_encode("GIF89a" + std::string(100, 'x'));
  j.erase("id_back");
  const auto r = check(j);
  EXPECT_TRUE(has_code(r, "id_front.not_jpeg")) << codes(r);
  EXPECT_TRUE(has_code(r, "id_back.missing")) << codes(r);
}

}  // namespace
}  // namespace cardd::intake::test
