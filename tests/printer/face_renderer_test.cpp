// Rendering and QC: the right size, the photo where it belongs, text inked,
// rare characters drawn, and every QC failure named before anything prints.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "cardd/printer/error.h"
#include "cardd/printer/face_renderer.h"
#include "printer_test_support.h"

namespace cardd::printer::test {
namespace {

class FaceRendererTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = FaceRenderer::create(shipped_template());
    ASSERT_TRUE(r.ok()) << r.error().describe();
    holder().emplace(std::move(*r));
    renderer_ = &*holder();
  }
  static void TearDownTestSuite() {
    holder().reset();
    renderer_ = nullptr;
  }
  static std::optional<FaceRenderer>& holder() {
    static std::optional<FaceRenderer> r;
    return r;
  }

  static Image render(const FaceData& d, Side side) {
    auto png = renderer_->render_side(d, side);
    EXPECT_TRUE(png.ok()) << png.error().describe();
    if (!png.ok()) return nullptr;
    Image image = read_png(*png);
    EXPECT_EQ(cairo_surface_status(image.get()), CAIRO_STATUS_SUCCESS);
    return image;
  }

  static int inked(cairo_surface_t* image, Side side, const std::string& id) {
    const PixelBox b = pixel_box(shipped_template(), side, id);
    return dark_pixels(image, b.x, b.y, b.w, b.h);
  }

  static FaceRenderer* renderer_;
};

FaceRenderer* FaceRendererTest::renderer_ = nullptr;

void expect_error(const Status& s, PrinterError code, const std::string& names) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code) << s.error().describe();
  EXPECT_NE(s.error().message.find(names), std::string::npos) << s.error().message;
}

template <typename T>
void expect_error(const Result<T>& r, PrinterError code, const std::string& names) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code) << r.error().describe();
  EXPECT_NE(r.error().message.find(names), std::string::npos) << r.error().message;
}

TEST_F(FaceRendererTest, BothSidesAreCr80At300Dpi) {
  const FaceData d = generated_face(1);
  auto face = renderer_->render(d);
  ASSERT_TRUE(face.ok()) << face.error().describe();
  // CARDD_PRINTER_DUMP_DIR=dir keeps the PNGs for a look.
  if (const char* dir = std::getenv("CARDD_PRINTER_DUMP_DIR")) {
    std::ofstream(std::string(dir) + "/front.png", std::ios::binary) << face->front_png;
    std::ofstream(std::string(dir) + "/back.png", std::ios::binary) << face->back_png;
  }
  for (const std::string* png : {&face->front_png, &face->back_png}) {
    EXPECT_EQ(png->substr(1, 3), "PNG");
    Image image = read_png(*png);
    ASSERT_EQ(cairo_surface_status(image.get()), CAIRO_STATUS_SUCCESS);
    EXPECT_EQ(cairo_image_surface_get_width(image.get()), 1011);
    EXPECT_EQ(cairo_image_surface_get_height(image.get()), 638);
  }
}

TEST_F(FaceRendererTest, PngCarriesTheResolution) {
  auto png = renderer_->render_side(generated_face(1), Side::back);
  ASSERT_TRUE(png.ok());
  // pHYs: 11811 pixels per metre (300 dpi) both ways, unit metre.
  const std::string phys = std::string("pHYs") + std::string("\x00\x00\x2e\x23", 4) +
                           std::string("\x00\x00\x2e\x23", 4) + "\x01";
  EXPECT_NE(png->find(phys), std::string::npos);
}

TEST_F(FaceRendererTest, FrontCarriesTheCardName) {
  Image front = render(generated_face(1), Side::front);
  ASSERT_TRUE(front);
  // Dark red text on a light background.
  const PixelBox b = pixel_box(shipped_template(), Side::front, "title");
  EXPECT_GT(dark_pixels(front.get(), b.x, b.y, b.w, b.h, 160), 2000);
}

TEST_F(FaceRendererTest, PhotoIsInItsBoxAndResemblesTheSource) {
  for (std::uint64_t i : {1u, 2u, 3u}) {
    const FaceData d = generated_face(i);
    Image back = render(d, Side::back);
    ASSERT_TRUE(back);
    const PixelBox b = pixel_box(shipped_template(), Side::back, "photo", 2);
    const Rgb8 got = mean_colour(back.get(), b.x, b.y, b.w, b.h);
    const Rgb8 want = jpeg_mean_colour(d.photo_jpeg);
    EXPECT_NEAR(got.r, want.r, 4.0) << i;
    EXPECT_NEAR(got.g, want.g, 4.0) << i;
    EXPECT_NEAR(got.b, want.b, 4.0) << i;
    // Not blank: a photo is not the white background.
    EXPECT_LT(got.r + got.g + got.b, 3 * 250.0);
  }
}

TEST_F(FaceRendererTest, TextBoxesAreInkedAndTheChipWindowIsNot) {
  FaceData d = generated_face(4);
  Image back = render(d, Side::back);
  ASSERT_TRUE(back);
  for (const char* id : {"name", "name_label", "social_security_number", "ssn_label", "card_number",
                         "issue_date", "bank_name", "service_hotline"})
    EXPECT_GT(inked(back.get(), Side::back, id), 40) << id;
  EXPECT_EQ(inked(back.get(), Side::back, "chip"), 0);
  const PixelBox chip = pixel_box(shipped_template(), Side::back, "chip");
  const Rgb8 c = mean_colour(back.get(), chip.x, chip.y, chip.w, chip.h);
  EXPECT_EQ(c.r + c.g + c.b, 3 * 255.0);
  // No bank account in the data: its optional box stays blank.
  EXPECT_EQ(inked(back.get(), Side::back, "bank_account"), 0);
  d.bank_account = "6222 0202 0000 1234 567";
  back = render(d, Side::back);
  EXPECT_GT(inked(back.get(), Side::back, "bank_account"), 40);
}

TEST_F(FaceRendererTest, NamesOutsideTheBmpRender) {
  FaceData d = generated_face(5);
  // 𠮷 U+20BB7 (in Noto CJK) and 𪛖 U+2A6D6 (only in HanaMinB).
  for (const char* name : {"王\xF0\xA0\xAE\xB7", "李\xF0\xAA\x9B\x96华", "古再丽努尔·哈力克"}) {
    d.name = name;
    EXPECT_TRUE(renderer_->check(d).ok()) << name;
    Image back = render(d, Side::back);
    ASSERT_TRUE(back);
    EXPECT_GT(inked(back.get(), Side::back, "name"), 40) << name;
  }
}

TEST_F(FaceRendererTest, ACharacterNoFontHasFailsQcNamingTheField) {
  FaceData d = generated_face(6);
  d.name = "王\xEE\x80\x80";  // U+E000, private use
  expect_error(renderer_->check(d), PrinterError::unknown_glyph, "back.name: field name: U+E000");
  d.name = "王\xF4\x8F\xBF\xBD";  // U+10FFFD
  expect_error(renderer_->render(d), PrinterError::unknown_glyph, "field name: U+10FFFD");
  expect_error(renderer_->render_side(d, Side::back), PrinterError::unknown_glyph, "name");
  // The front does not print the name.
  EXPECT_TRUE(renderer_->render_side(d, Side::front).ok());
}

TEST_F(FaceRendererTest, TextTooLongForItsBoxFailsQcNamingTheField) {
  FaceData d = generated_face(7);
  d.name = "欧阳上官司马诸葛东方皇甫建国志强德明振华";
  auto r = renderer_->render(d);
  expect_error(r, PrinterError::text_overflow, "back.name (field name)");
  // The message carries sizes, never the holder's name.
  EXPECT_EQ(r.error().message.find("欧阳"), std::string::npos);

  d = generated_face(7);
  d.bank_name = "中国工商银行股份有限公司北京市分行营业部第二支行";
  expect_error(renderer_->check(d), PrinterError::text_overflow, "back.bank_name");
}

TEST_F(FaceRendererTest, LongerNamesShrinkDownToTheTemplatesMinimum) {
  FaceData d = generated_face(8);
  d.name = "阿卜杜热合曼·买买提江";  // 11 code points: wider than the box at 11 pt
  Image back = render(d, Side::back);
  ASSERT_TRUE(back);
  EXPECT_GT(inked(back.get(), Side::back, "name"), 40);
  // Nothing spills to the right of the name box (the photo starts there).
  const PixelBox b = pixel_box(shipped_template(), Side::back, "name");
  EXPECT_EQ(dark_pixels(back.get(), b.x + b.w, b.y, 15, b.h), 0);
}

TEST_F(FaceRendererTest, BrokenPhotoFailsQcNamingThePhoto) {
  FaceData d = generated_face(9);
  const std::string good = d.photo_jpeg;
  for (const std::string& bad :
       {std::string("not a jpeg at all"), good.substr(0, good.size() / 2), std::string()}) {
    d.photo_jpeg = bad;
    expect_error(renderer_->render(d), PrinterError::photo_invalid, "back.photo (field photo)");
  }
  // Corrupt entropy data in the middle of the scan.
  d.photo_jpeg = good;
  for (std::size_t i = good.size() / 2; i < good.size() / 2 + 64; ++i) d.photo_jpeg[i] = '\xFF';
  expect_error(renderer_->check(d), PrinterError::photo_invalid, "photo");
}

TEST_F(FaceRendererTest, MissingOrBadFieldsFailQc) {
  FaceData d = generated_face(10);
  d.card_number.clear();
  expect_error(renderer_->check(d), PrinterError::missing_field,
               "back.card_number: field card_number is empty");
  d = generated_face(10);
  d.issue_month = 13;
  expect_error(renderer_->check(d), PrinterError::missing_field, "issue_month");
  d = generated_face(10);
  d.name = "王\n小明";
  expect_error(renderer_->check(d), PrinterError::invalid_text,
               "field name contains control character U+000A");
  d.name = "王\xC3\x28";
  expect_error(renderer_->check(d), PrinterError::invalid_text, "field name is not valid UTF-8");
  // Optional fields may be empty.
  d = generated_face(10);
  d.service_hotline.clear();
  d.vendor_code.clear();
  EXPECT_TRUE(renderer_->check(d).ok());
}

TEST_F(FaceRendererTest, OutputIsDeterministic) {
  const FaceData d = generated_face(11);
  auto a = renderer_->render(d);
  auto b = renderer_->render(d);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->front_png, b->front_png);
  EXPECT_EQ(a->back_png, b->back_png);
  auto other = FaceRenderer::create(shipped_template());
  ASSERT_TRUE(other.ok());
  auto c = other->render(d);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(a->front_png, c->front_png);
  EXPECT_EQ(a->back_png, c->back_png);
  // And it depends on the data.
  FaceData e = d;
  e.card_number[8] = e.card_number[8] == '1' ? '2' : '1';
  auto f = renderer_->render_side(e, Side::back);
  ASSERT_TRUE(f.ok());
  EXPECT_NE(*f, a->back_png);
}

// The shipped front shows no holder data: every card gets the same bytes,
// drawn and encoded once per renderer. Measured against the back, which is
// drawn for every card: a cached front costs a copy, not a rendering.
TEST_F(FaceRendererTest, TheFrontIsTheSameForEveryCardAndRenderedOnce) {
  auto fresh = FaceRenderer::create(shipped_template());
  ASSERT_TRUE(fresh.ok());
  auto first = fresh->render(generated_face(21));
  ASSERT_TRUE(first.ok());
  auto second = fresh->render(generated_face(22));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->front_png, second->front_png);
  EXPECT_NE(first->back_png, second->back_png);
  using clock = std::chrono::steady_clock;
  auto fastest = [&](Side side) {
    auto best = clock::duration::max();
    for (std::uint64_t i = 0; i < 5; ++i) {
      const FaceData d = generated_face(30 + i);
      const auto start = clock::now();
      auto png = fresh->render_side(d, side);
      best = std::min(best, clock::now() - start);
      EXPECT_TRUE(png.ok());
      if (side == Side::front) {
        EXPECT_EQ(*png, first->front_png);
      }
    }
    return best;
  };
  const auto front = fastest(Side::front), back = fastest(Side::back);
  EXPECT_LT(front * 10, back) << "front "
                              << std::chrono::duration<double, std::micro>(front).count()
                              << " us, back "
                              << std::chrono::duration<double, std::micro>(back).count() << " us";
}

TEST(FaceRendererCreate, AMissingFontFamilyIsRefused) {
  FaceTemplate t = shipped_template();
  t.fonts["sans"].push_back("No Such Font Family");
  auto r = FaceRenderer::create(t);
  expect_error(r, PrinterError::font_missing, "fonts.sans: family 'No Such Font Family'");
}

}  // namespace
}  // namespace cardd::printer::test
