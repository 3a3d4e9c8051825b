// Errors of the printer module, as a std::error_code category ("printer").
// Messages say where (template path such as "back.name", the data field) and
// what (a code point, a size in millimetres), never the holder's data itself.
#pragma once

#include <system_error>

namespace cardd::printer {

enum class PrinterError {
  template_invalid = 1,  // the face template cannot be parsed or fails validation
  font_missing,          // a font family the template names is not installed
  missing_field,         // a field the template prints is empty or out of range
  invalid_text,          // not UTF-8, or a control character in a printed field
  unknown_glyph,         // a character that no installed font can draw (QC)
  text_overflow,         // text does not fit its box, even at the minimum size (QC)
  photo_invalid,         // the photo cannot be decoded (QC)
  io,                    // a file cannot be read or written
  internal,              // cairo or Pango failed (out of memory, ...)
  // Printing (Printer backends and print_with_retry):
  config_invalid,       // a printer URI or setting that cannot be used
  printer_unavailable,  // cannot connect, connection refused, printer stopped or busy
  connection_lost,      // the connection broke after a request was sent: it may have been
                        // carried out (the job may exist)
  job_rejected,         // the printer refused the job (format, attributes): do not retry
  job_failed,           // the job ended aborted or cancelled at the printer
  job_timeout,          // the job did not end within the wait time (state unknown)
  job_lost,             // an accepted job is no longer known to the printer
  barcode_invalid,      // a barcode's data cannot be encoded
};

// Transient errors are worth retrying after a pause: printer_unavailable and
// connection_lost. Everything else needs a person or different input.
bool is_transient(std::error_code code);

const std::error_category& printer_category();
inline std::error_code make_error_code(PrinterError e) {
  return {static_cast<int>(e), printer_category()};
}

}  // namespace cardd::printer

template <>
struct std::is_error_code_enum<cardd::printer::PrinterError> : std::true_type {};
