#include "cardd/printer/error.h"
#include "cardd/common/error_category.h"

#include <string>

namespace cardd::printer {
namespace {

std::string_view to_string(PrinterError e) {
  switch (e) {
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
    case PrinterError::config_invalid:
      return "config_invalid";
    case PrinterError::printer_unavailable:
      return "printer_unavailable";
    case PrinterError::connection_lost:
      return "connection_lost";
    case PrinterError::job_rejected:
      return "job_rejected";
    case PrinterError::job_failed:
      return "job_failed";
    case PrinterError::job_timeout:
      return "job_timeout";
    case PrinterError::job_lost:
      return "job_lost";
    case PrinterError::barcode_invalid:
      return "barcode_invalid";
  }
  return {};
}

}  // namespace

const std::error_category& printer_category() {
  static const ErrorCategory<PrinterError> category("printer", to_string);
  return category;
}

bool is_transient(std::error_code code) {
  return code == PrinterError::printer_unavailable || code == PrinterError::connection_lost;
}

}  // namespace cardd::printer
