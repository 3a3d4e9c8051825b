#include "cardd/printer/face_template.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <sstream>
#include <tuple>

#include <toml++/toml.h>

#include "cardd/common/hex.h"
#include "cardd/common/toml_reader.h"

#include "cardd/printer/error.h"

namespace cardd::printer {
namespace {

constexpr double kPhotoAspect = 358.0 / 441.0;
constexpr double kPhotoAspectTolerance = 0.01;  // relative

using Parser = TomlReader;

std::optional<Rgb> color(Parser& p, const toml::table& parent, std::string_view key,
                         std::string_view where) {
  auto s = p.string(parent, key, where, false);
  if (!s) return std::nullopt;
  const auto rgb = s->size() == 7 && (*s)[0] == '#' ? from_hex(s->substr(1)) : std::nullopt;
  if (!rgb) {
    p.problem(Parser::join(where, key), "must be a colour \"#rrggbb\"", parent.get(key));
    return std::nullopt;
  }
  return Rgb{(*rgb)[0], (*rgb)[1], (*rgb)[2]};
}

bool is_text_field(std::string_view name) {
  return name != "photo" &&
         std::find(kFaceFields.begin(), kFaceFields.end(), name) != kFaceFields.end();
}

// "{field}" placeholders; "{" and "}" have no other use in a template.
void parse_placeholders(Parser& p, Element& e, const toml::node* at) {
  const std::string& t = e.text;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '}') {
      p.problem(e.where + ".text", "'}' without '{'", at);
      return;
    }
    if (t[i] != '{') continue;
    const std::size_t end = t.find('}', i);
    if (end == std::string::npos) {
      p.problem(e.where + ".text", "'{' without '}'", at);
      return;
    }
    const std::string field = t.substr(i + 1, end - i - 1);
    if (!is_text_field(field))
      p.problem(e.where + ".text", "unknown field {" + field + "}", at);
    else
      e.fields.push_back(field);
    i = end;
  }
}

void parse_box(Parser& p, const toml::table& t, Element& e, const FaceTemplate& f) {
  const std::string where = e.where + ".box";
  const toml::table* box = p.table(t, "box", e.where, true);
  if (box == nullptr) return;
  p.only_keys(*box, where, {"x", "y", "width", "height"});
  const auto x = p.number(*box, "x", where, true), y = p.number(*box, "y", where, true),
             w = p.number(*box, "width", where, true), h = p.number(*box, "height", where, true);
  if (!x || !y || !w || !h) return;
  e.box = BoxMm{*x, *y, *w, *h};
  bool ok = true;
  if (*w <= 0) ok = false, p.problem(where, "width must be > 0", box);
  if (*h <= 0) ok = false, p.problem(where, "height must be > 0", box);
  if (*x < 0 || *y < 0) ok = false, p.problem(where, "x and y must be >= 0", box);
  if (ok && f.width_mm > 0 && f.height_mm > 0 &&
      (*x + *w > f.width_mm + 1e-9 || *y + *h > f.height_mm + 1e-9))
    p.problem(where, "lies partly outside the card", box);
}

void parse_text(Parser& p, const toml::table& t, Element& e, const FaceTemplate& f) {
  p.only_keys(t, e.where,
              {"kind", "box", "z", "text", "font", "size_pt", "min_size_pt", "bold", "align",
               "color", "optional"});
  if (auto s = p.string(t, "text", e.where, true)) {
    e.text = *s;
    if (e.text.empty()) p.problem(e.where + ".text", "must not be empty", t.get("text"));
    parse_placeholders(p, e, t.get("text"));
  }
  if (auto s = p.string(t, "font", e.where, true)) {
    e.font = *s;
    if (!f.fonts.contains(e.font))
      p.problem(e.where + ".font", "no font stack \"" + e.font + "\" in [fonts]", t.get("font"));
  }
  if (auto s = p.number(t, "size_pt", e.where, true)) {
    e.size_pt = *s;
    if (*s <= 0 || *s > 200)
      p.problem(e.where + ".size_pt", "must be in (0, 200]", t.get("size_pt"));
  }
  e.min_size_pt = e.size_pt;
  if (auto s = p.number(t, "min_size_pt", e.where, false)) {
    e.min_size_pt = *s;
    if (*s <= 0 || *s > e.size_pt)
      p.problem(e.where + ".min_size_pt", "must be > 0 and <= size_pt", t.get("min_size_pt"));
  }
  e.bold = p.boolean(t, "bold", e.where).value_or(false);
  e.optional = p.boolean(t, "optional", e.where).value_or(false);
  if (e.optional && e.fields.empty())
    p.problem(e.where + ".optional", "only text with {fields} can be optional", t.get("optional"));
  if (auto s = p.string(t, "align", e.where, false)) {
    if (*s == "left")
      e.align = Align::left;
    else if (*s == "center")
      e.align = Align::center;
    else if (*s == "right")
      e.align = Align::right;
    else
      p.problem(e.where + ".align", "must be left, center or right", t.get("align"));
  }
  e.color = color(p, t, "color", e.where).value_or(Rgb{0, 0, 0});
}

void parse_shape(Parser& p, const toml::table& t, Element& e) {
  if (e.kind == ElementKind::rect)
    p.only_keys(t, e.where, {"kind", "box", "z", "fill", "stroke", "stroke_mm", "radius_mm"});
  else
    p.only_keys(t, e.where, {"kind", "box", "z", "fill", "stroke", "stroke_mm"});
  e.fill = color(p, t, "fill", e.where);
  e.stroke = color(p, t, "stroke", e.where);
  if (!e.fill && !e.stroke && !t.contains("fill") && !t.contains("stroke"))
    p.problem(e.where, "needs fill or stroke", &t);
  e.stroke_mm = p.number(t, "stroke_mm", e.where, false).value_or(e.stroke ? 0.3 : 0.0);
  if (e.stroke_mm < 0) p.problem(e.where + ".stroke_mm", "must be >= 0", t.get("stroke_mm"));
  e.radius_mm = p.number(t, "radius_mm", e.where, false).value_or(0.0);
  if (e.radius_mm < 0) p.problem(e.where + ".radius_mm", "must be >= 0", t.get("radius_mm"));
}

std::optional<Element> parse_element(Parser& p, const toml::table& t, std::string_view side,
                                     std::string_view id, const FaceTemplate& f) {
  Element e;
  e.id = std::string(id);
  e.where = std::string(side) + "." + e.id;
  const auto kind = p.string(t, "kind", e.where, true);
  if (!kind) return std::nullopt;
  if (*kind == "text") {
    e.kind = ElementKind::text;
    parse_text(p, t, e, f);
  } else if (*kind == "photo") {
    e.kind = ElementKind::photo;
    p.only_keys(t, e.where, {"kind", "box", "z", "field"});
    if (auto field = p.string(t, "field", e.where, false); field && *field != "photo")
      p.problem(e.where + ".field", "a photo box shows the field \"photo\"", t.get("field"));
    e.fields = {"photo"};
  } else if (*kind == "rect" || *kind == "ellipse") {
    e.kind = *kind == "rect" ? ElementKind::rect : ElementKind::ellipse;
    parse_shape(p, t, e);
  } else if (*kind == "chip_window") {
    e.kind = ElementKind::chip_window;
    p.only_keys(t, e.where, {"kind", "box", "z"});
  } else {
    p.problem(e.where + ".kind", "must be text, photo, rect, ellipse or chip_window",
              t.get("kind"));
    return std::nullopt;
  }
  parse_box(p, t, e, f);
  if (auto z = t.get("z")) {
    if (auto v = z->value_exact<std::int64_t>(); v && *v >= -1000 && *v <= 1000)
      e.z = static_cast<int>(*v);
    else
      p.problem(e.where + ".z", "must be an integer in [-1000, 1000]", z);
  }
  if (e.kind == ElementKind::photo && e.box.width > 0 && e.box.height > 0) {
    const double aspect = e.box.width / e.box.height;
    if (std::abs(aspect / kPhotoAspect - 1.0) > kPhotoAspectTolerance) {
      std::ostringstream m;
      m.precision(3);
      m << "aspect ratio " << aspect << " is not the photo's 358:441 (" << kPhotoAspect << ")";
      p.problem(e.where + ".box", m.str(), t.get("box"));
    }
  }
  return e;
}

int kind_rank(ElementKind k) {
  switch (k) {
    case ElementKind::chip_window:
    case ElementKind::rect:
    case ElementKind::ellipse:
      return 0;
    case ElementKind::photo:
      return 1;
    case ElementKind::text:
      return 2;
  }
  return 3;
}

bool overlaps(const BoxMm& a, const BoxMm& b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

SideTemplate parse_side(Parser& p, const toml::table& root, std::string_view side,
                        const FaceTemplate& f) {
  SideTemplate s;
  const toml::table* t = p.table(root, side, "", true);
  if (t == nullptr) return s;
  for (const auto& [key, node] : *t) {
    if (key.str() == "background") continue;
    if (!node.is_table()) {
      p.problem(Parser::join(side, key.str()), "must be an element table", &node);
      continue;
    }
    if (auto e = parse_element(p, *node.as_table(), side, key.str(), f))
      s.elements.push_back(std::move(*e));
  }
  if (auto bg = color(p, *t, "background", side)) s.background = *bg;
  std::stable_sort(s.elements.begin(), s.elements.end(), [](const Element& a, const Element& b) {
    return std::tuple(a.z, kind_rank(a.kind), a.id) < std::tuple(b.z, kind_rank(b.kind), b.id);
  });
  for (const Element& chip : s.elements) {
    if (chip.kind != ElementKind::chip_window) continue;
    for (const Element& e : s.elements) {
      if (&e != &chip && overlaps(e.box, chip.box))
        p.problem(e.where + ".box", "overlaps the chip window " + chip.where);
    }
  }
  return s;
}

}  // namespace

Result<FaceTemplate> parse_face_template(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return make_error(PrinterError::template_invalid, std::string(origin) + ":" +
                                                          std::to_string(e.source().begin.line) +
                                                          ": " + std::string(e.description()));
  }
  Parser p;
  FaceTemplate f;
  p.only_keys(root, "", {"name", "card", "fonts", "front", "back"});
  f.name = p.string(root, "name", "", true).value_or("");
  if (const toml::table* card = p.table(root, "card", "", true)) {
    p.only_keys(*card, "card", {"width_mm", "height_mm", "dpi"});
    f.width_mm = p.number(*card, "width_mm", "card", true).value_or(0);
    f.height_mm = p.number(*card, "height_mm", "card", true).value_or(0);
    const double dpi = p.number(*card, "dpi", "card", true).value_or(0);
    if (f.width_mm <= 0 || f.width_mm > 300)
      p.problem("card.width_mm", "must be in (0, 300]", card);
    if (f.height_mm <= 0 || f.height_mm > 300)
      p.problem("card.height_mm", "must be in (0, 300]", card);
    if (dpi < 72 || dpi > 1200 || dpi != std::floor(dpi))
      p.problem("card.dpi", "must be an integer in [72, 1200]", card);
    else
      f.dpi = static_cast<int>(dpi);
    f.width_px = static_cast<int>(std::lround(f.width_mm / 25.4 * f.dpi));
    f.height_px = static_cast<int>(std::lround(f.height_mm / 25.4 * f.dpi));
  }
  if (const toml::table* fonts = p.table(root, "fonts", "", true)) {
    for (const auto& [key, node] : *fonts) {
      const std::string where = "fonts." + std::string(key.str());
      const toml::array* a = node.as_array();
      std::vector<std::string> families;
      if (a != nullptr) {
        for (const toml::node& n : *a) {
          if (auto s = n.value_exact<std::string>();
              s && !s->empty() && s->find(',') == std::string::npos)
            families.push_back(*s);
          else
            p.problem(where, "families must be non-empty strings without ','", &n);
        }
      }
      if (a == nullptr || a->empty())
        p.problem(where, "must be a non-empty array of font families", &node);
      f.fonts[std::string(key.str())] = std::move(families);
    }
  }
  f.front = parse_side(p, root, "front", f);
  f.back = parse_side(p, root, "back", f);

  if (!p.problems().empty()) {
    std::string m = std::string(origin) + ": " + std::to_string(p.problems().size()) +
                    (p.problems().size() == 1 ? " problem: " : " problems: ");
    for (std::size_t i = 0; i < p.problems().size(); ++i) m += (i ? "; " : "") + p.problems()[i];
    return make_error(PrinterError::template_invalid, std::move(m));
  }
  return f;
}

Result<FaceTemplate> load_face_template(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(PrinterError::io, "cannot read face template " + path.string());
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return make_error(PrinterError::io, "cannot read face template " + path.string());
  return parse_face_template(text, path.filename().string());
}

}  // namespace cardd::printer
