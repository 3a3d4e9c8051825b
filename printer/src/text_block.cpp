#include "text_block.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cardd/printer/error.h"

namespace cardd::printer::detail {
namespace {

constexpr double kShrinkStepPt = 0.25;
constexpr double kInkTolerancePx = 0.5;  // antialiasing may touch the box edge

struct Span {
  std::size_t begin, end;
  std::string field;
};

struct Substituted {
  std::string text;
  std::vector<Span> spans;  // where each field's value went
};

std::string code_point(gunichar c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

// "field name" or "fixed text", for messages about a byte of the text.
std::string what_at(const Substituted& s, std::size_t byte) {
  for (const Span& span : s.spans)
    if (byte >= span.begin && byte < span.end) return "field " + span.field;
  return "fixed text";
}

Result<std::optional<Substituted>> substitute(const Element& e, const FaceData& data) {
  bool any_value = false;
  std::vector<std::string> empty;
  for (const std::string& f : e.fields) {
    if (text_field(data, f).value_or("").empty())
      empty.push_back(f);
    else
      any_value = true;
  }
  if (e.optional && !any_value) return std::optional<Substituted>{};
  if (!empty.empty())
    return make_error(PrinterError::missing_field,
                      e.where + ": field " + empty.front() + " is empty");
  if (std::find(e.fields.begin(), e.fields.end(), "issue_month") != e.fields.end() &&
      (data.issue_month < 1 || data.issue_month > 12))
    return make_error(PrinterError::missing_field, e.where + ": field issue_month must be 1..12");
  if (std::find(e.fields.begin(), e.fields.end(), "issue_year") != e.fields.end() &&
      (data.issue_year < 1900 || data.issue_year > 9999))
    return make_error(PrinterError::missing_field,
                      e.where + ": field issue_year must be 1900..9999");

  Substituted s;
  for (std::size_t i = 0; i < e.text.size(); ++i) {
    if (e.text[i] != '{') {
      s.text += e.text[i];
      continue;
    }
    const std::size_t end = e.text.find('}', i);
    const std::string field = e.text.substr(i + 1, end - i - 1);
    const std::size_t begin = s.text.size();
    s.text += *text_field(data, field);
    s.spans.push_back({begin, s.text.size(), field});
    i = end;
  }
  return std::optional<Substituted>{std::move(s)};
}

Status check_characters(const Element& e, const Substituted& s) {
  const char* bad = nullptr;
  if (!g_utf8_validate(s.text.data(), static_cast<gssize>(s.text.size()), &bad)) {
    const auto at = static_cast<std::size_t>(bad - s.text.data());
    return make_error(PrinterError::invalid_text,
                      e.where + ": " + what_at(s, at) + " is not valid UTF-8");
  }
  for (const char* p = s.text.c_str(); *p != '\0'; p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    // Line and paragraph separators would make Pango start a new line.
    if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029) {
      const auto at = static_cast<std::size_t>(p - s.text.c_str());
      return make_error(
          PrinterError::invalid_text,
          e.where + ": " + what_at(s, at) + " contains control character " + code_point(c));
    }
  }
  if (s.text.find('\0') != std::string::npos)
    return make_error(PrinterError::invalid_text, e.where + ": text contains U+0000");
  return {};
}

// The first character drawn as an unknown glyph (a hex box), as "field name:
// U+XXXX"; empty when none is.
std::string first_unknown_glyph(PangoLayout* layout, const Substituted& s) {
  using IterPtr =
      std::unique_ptr<PangoLayoutIter, Deleter<PangoLayoutIter, pango_layout_iter_free>>;
  IterPtr iter(pango_layout_get_iter(layout));
  do {
    PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter.get());
    if (run == nullptr) continue;
    for (int i = 0; i < run->glyphs->num_glyphs; ++i) {
      if ((run->glyphs->glyphs[i].glyph & PANGO_GLYPH_UNKNOWN_FLAG) == 0) continue;
      const auto byte = static_cast<std::size_t>(run->item->offset + run->glyphs->log_clusters[i]);
      return what_at(s, byte) + ": " + code_point(g_utf8_get_char(s.text.c_str() + byte));
    }
  } while (pango_layout_iter_next_run(iter.get()));
  return "a character";
}

FontDescriptionPtr font_for(const Element& e, const std::vector<std::string>& families,
                            double size_pt) {
  std::string list;
  for (const std::string& f : families) list += (list.empty() ? "" : ",") + f;
  FontDescriptionPtr d(pango_font_description_new());
  pango_font_description_set_family(d.get(), list.c_str());
  pango_font_description_set_weight(d.get(), e.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_size(d.get(), static_cast<gint>(std::lround(size_pt * PANGO_SCALE)));
  return d;
}

struct Extents {
  double ink_x, ink_y, ink_w, ink_h, log_x, log_y, log_w, log_h;
};

Extents measure(PangoLayout* layout) {
  PangoRectangle ink, logical;
  pango_layout_get_extents(layout, &ink, &logical);
  const auto px = [](int v) { return static_cast<double>(v) / PANGO_SCALE; };
  return {px(ink.x),     px(ink.y),     px(ink.width),     px(ink.height),
          px(logical.x), px(logical.y), px(logical.width), px(logical.height)};
}

}  // namespace

Result<std::optional<TextBlock>> layout_text(PangoContext* context, const FaceTemplate& tpl,
                                             const Element& e,
                                             const std::vector<std::string>& families,
                                             const FaceData& data) {
  auto sub = substitute(e, data);
  if (!sub) return sub.error();
  if (!sub->has_value()) return std::optional<TextBlock>{};
  const Substituted& s = **sub;
  if (auto ok = check_characters(e, s); !ok) return ok.error();

  TextBlock block;
  block.layout.reset(pango_layout_new(context));
  PangoLayout* layout = block.layout.get();
  pango_layout_set_single_paragraph_mode(layout, TRUE);
  pango_layout_set_text(layout, s.text.data(), static_cast<int>(s.text.size()));

  const double mm = tpl.dpi / 25.4;
  const double bx = e.box.x * mm, by = e.box.y * mm, bw = e.box.width * mm, bh = e.box.height * mm;
  double size = e.size_pt;
  for (bool first = true;; first = false) {
    const FontDescriptionPtr font = font_for(e, families, size);
    pango_layout_set_font_description(layout, font.get());
    if (first && pango_layout_get_unknown_glyphs_count(layout) > 0)
      return make_error(
          PrinterError::unknown_glyph,
          e.where + ": " + first_unknown_glyph(layout, s) + " has no glyph in any installed font");
    const Extents x = measure(layout);
    const double left = e.align == Align::left     ? bx
                        : e.align == Align::center ? bx + (bw - x.log_w) / 2
                                                   : bx + bw - x.log_w;
    block.x = left - x.log_x;
    block.y = by + (bh - x.log_h) / 2 - x.log_y;
    const double ink_left = block.x + x.ink_x, ink_top = block.y + x.ink_y;
    const bool fits = x.log_w <= bw + kInkTolerancePx && ink_left >= bx - kInkTolerancePx &&
                      ink_left + x.ink_w <= bx + bw + kInkTolerancePx &&
                      ink_top >= by - kInkTolerancePx &&
                      ink_top + x.ink_h <= by + bh + kInkTolerancePx;
    if (fits) return std::optional<TextBlock>{std::move(block)};
    if (size - kShrinkStepPt < e.min_size_pt - 1e-9) {
      char m[160];
      std::snprintf(m, sizeof m,
                    ": text of %.1f x %.1f mm (ink) does not fit the %.1f x %.1f mm box at %.2f pt",
                    x.log_w / mm, x.ink_h / mm, e.box.width, e.box.height, size);
      std::string fields;
      for (const std::string& f : e.fields) fields += (fields.empty() ? " (field " : ", ") + f;
      if (!fields.empty()) fields += ")";
      return make_error(PrinterError::text_overflow, e.where + fields + m);
    }
    // Jump close to the size that would fit the width, then step down.
    const double guess =
        std::floor(size * bw / std::max(x.log_w, 1.0) / kShrinkStepPt) * kShrinkStepPt;
    size = std::max(e.min_size_pt, std::min(size - kShrinkStepPt, guess));
  }
}

}  // namespace cardd::printer::detail
