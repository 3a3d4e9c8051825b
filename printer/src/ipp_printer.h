// The IPP backend (libcups 2): every call opens a connection, sends one or
// two requests and closes it, so a printer that restarts between calls is
// simply reached again. IPP and HTTP failures become PrinterError in one
// helper (ipp_printer.cpp, to_error).
#pragma once

#include <memory>
#include <string>

#include "cardd/common/result.h"
#include "cardd/printer/printer.h"

namespace cardd::printer::detail {

// uri: ipp://HOST[:PORT]/PATH or ipps://…; config_invalid when it does not parse.
Result<std::unique_ptr<Printer>> open_ipp_printer(const std::string& uri, PrinterOptions options);

}  // namespace cardd::printer::detail
