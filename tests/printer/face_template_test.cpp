// The face template is data: the shipped one loads, and every problem in a
// broken one is reported with its place.
#include <gtest/gtest.h>

#include <string>

#include "cardd/printer/error.h"
#include "cardd/printer/face_template.h"
#include "printer_test_support.h"

namespace cardd::printer::test {
namespace {

// The shipped template with `from` replaced by `to` (once; must be present).
std::string edited(const std::string& from, const std::string& to) {
  std::string t = template_text();
  const auto at = t.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) t.replace(at, from.size(), to);
  return t;
}

const Element* find(const SideTemplate& side, const std::string& id) {
  for (const Element& e : side.elements)
    if (e.id == id) return &e;
  return nullptr;
}

TEST(FaceTemplate, ShippedTemplateLoads) {
  auto t = load_face_template(template_path());
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->name, "beijing-gen3");
  EXPECT_DOUBLE_EQ(t->width_mm, 85.60);
  EXPECT_DOUBLE_EQ(t->height_mm, 53.98);
  EXPECT_EQ(t->dpi, 300);
  EXPECT_EQ(t->width_px, 1011);
  EXPECT_EQ(t->height_px, 638);
  ASSERT_TRUE(t->fonts.contains("sans"));
  EXPECT_EQ(t->fonts.at("sans").front(), "Noto Sans CJK SC");
  EXPECT_EQ(t->fonts.at("sans").back(), "HanaMinB");

  const Element* title = find(t->front, "title");
  ASSERT_NE(title, nullptr);
  EXPECT_EQ(title->text, "中华人民共和国社会保障卡");
  const Element* date = find(t->back, "issue_date");
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(date->fields, (std::vector<std::string>{"issue_year", "issue_month"}));
  const Element* photo = find(t->back, "photo");
  ASSERT_NE(photo, nullptr);
  EXPECT_NEAR(photo->box.width / photo->box.height, 358.0 / 441.0, 0.005);
  ASSERT_NE(find(t->back, "chip"), nullptr);
  EXPECT_EQ(find(t->back, "chip")->kind, ElementKind::chip_window);
}

TEST(FaceTemplate, ElementsAreInDrawingOrder) {
  const FaceTemplate& t = shipped_template();
  // The emblem (z = 1) is drawn over its ring; text after shapes.
  std::vector<std::string> ids;
  for (const Element& e : t.front.elements) ids.push_back(e.id);
  const auto pos = [&](const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) - ids.begin();
  };
  EXPECT_LT(pos("emblem_ring"), pos("emblem"));
  EXPECT_LT(pos("band"), pos("issuer"));
  EXPECT_LT(pos("emblem_ring"), pos("title"));
}

TEST(FaceTemplate, BadBoxIsReportedWithItsPlace) {
  auto t = parse_face_template(edited("box = { x = 30.00, y = 19.00, width = 28.00",
                                      "box = { x = 30.00, y = 19.00, width = 0"),
                               "bad.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, PrinterError::template_invalid);
  EXPECT_NE(t.error().message.find("bad.toml"), std::string::npos) << t.error().message;
  EXPECT_NE(t.error().message.find("back.name.box: width must be > 0"), std::string::npos)
      << t.error().message;
  EXPECT_NE(t.error().message.find("(line "), std::string::npos) << t.error().message;
}

TEST(FaceTemplate, EveryProblemIsReported) {
  std::string text = template_text();
  text +=
      "\n[back.extra]\nkind = \"text\"\ntext = \"{nickname}\"\nfont = \"mono\"\nsize_pt = 9\n"
      "colour = \"#000000\"\nbox = { x = 80.0, y = 50.0, width = 10.0, height = -1 }\n";
  auto t = parse_face_template(text, "bad.toml");
  ASSERT_FALSE(t.ok());
  const std::string& m = t.error().message;
  EXPECT_NE(m.find("4 problems"), std::string::npos) << m;
  EXPECT_NE(m.find("back.extra.colour: unknown key"), std::string::npos) << m;
  EXPECT_NE(m.find("back.extra.text: unknown field {nickname}"), std::string::npos) << m;
  EXPECT_NE(m.find("back.extra.font: no font stack \"mono\""), std::string::npos) << m;
  EXPECT_NE(m.find("back.extra.box: height must be > 0"), std::string::npos) << m;
}

TEST(FaceTemplate, BoxOutsideTheCard) {
  auto t = parse_face_template(edited("x = 63.00, y = 48.50", "x = 70.00, y = 48.50"), "t.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("back.vendor_code.box: lies partly outside the card"),
            std::string::npos)
      << t.error().message;
}

TEST(FaceTemplate, PhotoBoxMustKeepTheAspectRatio) {
  auto t = parse_face_template(
      edited("width = 22.00, height = 27.10", "width = 25.00, height = 27.10"), "t.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("back.photo.box: aspect ratio"), std::string::npos)
      << t.error().message;
}

TEST(FaceTemplate, NothingMayCoverTheChipWindow) {
  auto t = parse_face_template(edited("x = 23.00, y = 19.00", "x = 18.00, y = 19.00"), "t.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("back.name_label.box: overlaps the chip window back.chip"),
            std::string::npos)
      << t.error().message;
}

TEST(FaceTemplate, ValuesAreChecked) {
  auto t = parse_face_template(edited("dpi = 300", "dpi = 30"), "t.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("card.dpi"), std::string::npos);

  t = parse_face_template(edited("size_pt = 11\nmin_size_pt = 7", "size_pt = 11\nmin_size_pt = 12"),
                          "t.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("back.name.min_size_pt: must be > 0 and <= size_pt"),
            std::string::npos)
      << t.error().message;

  t = parse_face_template(edited("color = \"#9b1b1b\"", "color = \"red\""), "t.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("front.title.color: must be a colour"), std::string::npos)
      << t.error().message;

  t = parse_face_template(edited("kind = \"chip_window\"", "kind = \"chip\""), "t.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("back.chip.kind"), std::string::npos) << t.error().message;

  t = parse_face_template(edited("text = \"{name}\"", "text = \"{name\""), "t.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("back.name.text: '{' without '}'"), std::string::npos)
      << t.error().message;
}

TEST(FaceTemplate, SyntaxErrorsNameTheLine) {
  auto t = parse_face_template("name = \"x\"\n[card\n", "broken.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, PrinterError::template_invalid);
  EXPECT_NE(t.error().message.find("broken.toml:2"), std::string::npos) << t.error().message;
}

TEST(FaceTemplate, MissingFileIsAnIoError) {
  auto t = load_face_template("/nonexistent/face.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, PrinterError::io);
}

}  // namespace
}  // namespace cardd::printer::test
