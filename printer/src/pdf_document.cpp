#include "pdf_document.h"

#include <cairo-pdf.h>

#include <cmath>
#include <cstdio>

#include "cardd/printer/error.h"

namespace cardd::printer::detail {

namespace {

constexpr const char* kFamilies = "Noto Sans CJK SC,HanaMinB";
constexpr double kPtPerMm = 72.0 / 25.4;

std::string code_point(gunichar c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

PdfDocument::PdfDocument(PangoContext* context, double width_pt, double height_pt)
    : context_(context),
      surface_(cairo_pdf_surface_create_for_stream(append, &pdf_, width_pt, height_pt)),
      cr_(cairo_create(surface_.get())),
      layout_(pango_layout_new(context_)),
      font_(pango_font_description_new()) {
  // No creation date: the same input gives the same bytes.
  cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATOR, "cardd");
  pango_cairo_update_context(cr_.get(), context_);
  pango_font_description_set_family(font_.get(), kFamilies);
  pango_layout_set_wrap(layout_.get(), PANGO_WRAP_WORD_CHAR);
}

void PdfDocument::next_page() {
  cairo_show_page(cr_.get());
  cairo_set_source_rgb(cr_.get(), 0, 0, 0);
}

double PdfDocument::text(std::string_view field, const std::string& text, double x, double y,
                         double width, double size_pt, bool bold, Align align, bool wrap) {
  if (!ok()) return 0;
  // The document's own wording recurs on every page of a batch: laid out once.
  std::string key;
  LayoutPtr fixed;
  if (field.empty()) {
    key = text + '\x1f' + std::to_string(width) + '\x1f' + std::to_string(size_pt) +
          (bold ? 'b' : '-') + (align == Align::center ? 'c' : '-') + (wrap ? 'w' : '-');
    if (const auto it = fixed_.find(key); it != fixed_.end()) return show(it->second.get(), x, y);
    fixed.reset(pango_layout_new(context_));
    pango_layout_set_wrap(fixed.get(), PANGO_WRAP_WORD_CHAR);
  }
  PangoLayout* layout = fixed ? fixed.get() : layout_.get();
  if (!lay_out(layout, field, text, width, size_pt, bold, align, wrap)) return 0;
  const double height = show(layout, x, y);
  if (fixed) fixed_.emplace(std::move(key), std::move(fixed));
  return height;
}

bool PdfDocument::lay_out(PangoLayout* layout, std::string_view field, const std::string& text,
                          double width, double size_pt, bool bold, Align align, bool wrap) {
  const std::string where =
      field.empty() ? std::string("fixed text") : "field " + std::string(field);
  if (!field.empty() && text.empty()) {
    status_ = make_error(PrinterError::missing_field, where + " is empty");
    return false;
  }
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    status_ = make_error(PrinterError::invalid_text, where + ": not valid UTF-8");
    return false;
  }
  for (const char* p = text.c_str(); *p != '\0'; p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    if ((c < 0x20 && !(c == '\n' && field.empty())) || (c >= 0x7f && c < 0xa0)) {
      status_ =
          make_error(PrinterError::invalid_text, where + ": control character " + code_point(c));
      return false;
    }
  }
  pango_font_description_set_weight(font_.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_alignment(layout,
                             align == Align::center ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
  pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
  // One line that is too long shrinks in 0.5 pt steps, down to 60 %.
  for (double size = size_pt;; size -= 0.5) {
    pango_font_description_set_size(font_.get(),
                                    static_cast<gint>(std::lround(size * PANGO_SCALE)));
    pango_layout_set_font_description(layout, font_.get());
    if (wrap || pango_layout_get_line_count(layout) == 1 || size - 0.5 < size_pt * 0.6) break;
  }
  if (pango_layout_get_unknown_glyphs_count(layout) > 0) {
    status_ = make_error(PrinterError::unknown_glyph, where + ": " + first_unknown(text) +
                                                          " has no glyph in any installed font");
    return false;
  }
  if (!wrap && pango_layout_get_line_count(layout) > 1) {
    status_ = make_error(PrinterError::text_overflow,
                         where + ": does not fit on one line of " +
                             std::to_string(std::lround(width / kPtPerMm)) + " mm");
    return false;
  }
  return true;
}

double PdfDocument::show(PangoLayout* layout, double x, double y) {
  cairo_move_to(cr_.get(), x, y);
  pango_cairo_show_layout(cr_.get(), layout);
  int w = 0, h = 0;
  pango_layout_get_size(layout, &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

Result<std::string> PdfDocument::finish() {
  cr_.reset();
  cairo_surface_finish(surface_.get());
  if (!ok()) return status_.error();
  if (const auto st = cairo_surface_status(surface_.get()); st != CAIRO_STATUS_SUCCESS)
    return make_error(PrinterError::internal, std::string("PDF: ") + cairo_status_to_string(st));
  return std::move(pdf_);
}

// The first character no font draws, found one character at a time.
std::string PdfDocument::first_unknown(const std::string& text) {
  LayoutPtr one(pango_layout_new(context_));
  FontDescriptionPtr font(pango_font_description_from_string(kFamilies));
  pango_layout_set_font_description(one.get(), font.get());
  for (const char* p = text.c_str(); *p != '\0'; p = g_utf8_next_char(p)) {
    pango_layout_set_text(one.get(), p, static_cast<int>(g_utf8_next_char(p) - p));
    if (pango_layout_get_unknown_glyphs_count(one.get()) > 0) return code_point(g_utf8_get_char(p));
  }
  return "a character";
}

}  // namespace cardd::printer::detail
