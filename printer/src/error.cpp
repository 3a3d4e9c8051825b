#include "cardd/printer/error.h"

#include <string>

namespace cardd::printer {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "printer"; }
  std::string message(int code) const override {
    switch (static_cast<PrinterError>(code)) {
      case PrinterError::template_invalid:
        return "template_invalid";
      case PrinterError::font_missing:
        return "font_missing";
      case PrinterError::missing_field:
        return "missing_field";
      case PrinterError::invalid_text:
        return "invalid_text";
      case PrinterError::unknown_glyph:
        return "unknown_glyph";
      case PrinterError::text_overflow:
        return "text_overflow";
      case PrinterError::photo_invalid:
        return "photo_invalid";
      case PrinterError::io:
        return "io";
      case PrinterError::internal:
        return "internal";
    }
    return "unknown";
  }
};

}  // namespace

const std::error_category& printer_category() {
  static const Category category;
  return category;
}

}  // namespace cardd::printer
