// A PDF being drawn with cairo + Pango, one or more pages of the same size.
// Text goes in with the field it comes from (for messages); the first problem
// is kept and everything after it is skipped. Used by DocumentRenderer only.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "handles.h"

namespace cardd::printer::detail {

enum class Align { left, center };

class PdfDocument {
 public:
  PdfDocument(PangoContext* context, double width_pt, double height_pt);
  PdfDocument(const PdfDocument&) = delete;
  PdfDocument& operator=(const PdfDocument&) = delete;

  cairo_t* cr() { return cr_.get(); }
  bool ok() const { return status_.ok(); }
  const Error& error() const { return status_.error(); }

  // Ends the current page; drawing continues on a new one.
  void next_page();

  // Draws `text` from (x, y) in a box `width` wide, wrapping when `wrap`
  // (else shrinking it to fit one line, down to 60 % of `size_pt`).
  // Returns the height used. `field` names the source in messages; fixed
  // text (field empty) may contain line breaks.
  double text(std::string_view field, const std::string& text, double x, double y, double width,
              double size_pt, bool bold = false, Align align = Align::left, bool wrap = false);

  void fail(Error e) {
    if (ok()) status_ = std::move(e);
  }

  // The PDF's bytes, or the first error.
  Result<std::string> finish();

 private:
  // False (and the error kept) when the text cannot be printed as asked.
  bool lay_out(PangoLayout* layout, std::string_view field, const std::string& text, double width,
               double size_pt, bool bold, Align align, bool wrap);
  double show(PangoLayout* layout, double x, double y);
  std::string first_unknown(const std::string& text);

  PangoContext* context_;
  std::string pdf_;
  SurfacePtr surface_;
  CairoPtr cr_;
  // One layout and one font description, reused for every text of every
  // page: creating them per text costs more than laying the text out.
  LayoutPtr layout_;
  FontDescriptionPtr font_;
  // Fixed text by its wording and box, laid out on first use.
  std::map<std::string, LayoutPtr> fixed_;
  Status status_;
};

}  // namespace cardd::printer::detail
