// The card-face template: layout as data (printer/templates/*.toml).
//
// A template gives the card size, the resolution, named font stacks and, for
// each side, named elements with boxes in millimetres from the card's top-left
// corner. Element kinds:
//   text         a line of text: fixed words and "{field}" placeholders
//                (kFaceFields), a font stack, a size in points, optionally a
//                minimum size it may shrink to, bold, alignment, colour;
//                `optional = true` skips it when every field it uses is empty
//   photo        the holder's photo, scaled into the box without distortion
//   rect/ellipse fixed artwork: fill and/or stroke colour, stroke width,
//                corner radius (rect)
//   chip_window  where the chip module sits: never inked; no other element of
//                that side may overlap it
// Elements are drawn by ascending `z` (default 0), then shapes before photos
// before text, then by name.
//
// Loading validates everything the renderer relies on and reports every
// problem at once, each with its place: "back.name.box: width must be > 0".
// A FaceTemplate is an immutable value once loaded; it may be shared between
// threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/printer/face.h"

namespace cardd::printer {

struct BoxMm {
  double x = 0, y = 0, width = 0, height = 0;
};

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

enum class ElementKind { text, photo, rect, ellipse, chip_window };
enum class Align { left, center, right };

struct Element {
  std::string id;     // the table's name, e.g. "name"
  std::string where;  // "<side>.<id>", used in every error about it
  ElementKind kind = ElementKind::text;
  BoxMm box;
  int z = 0;

  // text
  std::string text;                 // fixed words and {field} placeholders
  std::vector<std::string> fields;  // the placeholders' field names, in order
  std::string font;                 // a key of FaceTemplate::fonts
  double size_pt = 0;
  double min_size_pt = 0;  // == size_pt unless the template allows shrinking
  bool bold = false;
  bool optional = false;
  Align align = Align::left;
  Rgb color;

  // rect, ellipse
  std::optional<Rgb> fill;
  std::optional<Rgb> stroke;
  double stroke_mm = 0;
  double radius_mm = 0;
};

struct SideTemplate {
  Rgb background{255, 255, 255};
  std::vector<Element> elements;  // in drawing order
};

struct FaceTemplate {
  std::string name;  // the template's own name, for messages
  double width_mm = 0;
  double height_mm = 0;
  int dpi = 0;
  int width_px = 0;   // round(width_mm / 25.4 * dpi)
  int height_px = 0;  // round(height_mm / 25.4 * dpi)
  // Font stacks by name: families in fallback order (Pango tries them in this
  // order, then whatever fontconfig finds).
  std::map<std::string, std::vector<std::string>> fonts;
  SideTemplate front;
  SideTemplate back;

  const SideTemplate& side(Side s) const { return s == Side::front ? front : back; }
};

// Parses and validates TOML text. `origin` (a file name) prefixes the message.
// Errors: PrinterError::template_invalid, the message listing every problem
// ("<origin>: 2 problems: back.name.box: width must be > 0; ...").
Result<FaceTemplate> parse_face_template(std::string_view toml, std::string_view origin);

// Reads and parses a template file. Errors: PrinterError::io, template_invalid.
Result<FaceTemplate> load_face_template(const std::filesystem::path& path);

}  // namespace cardd::printer
