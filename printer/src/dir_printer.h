// The directory backend: one file per job, "<job name>.<extension of the
// format>", written to a temporary name in the same directory, flushed to
// disk and then linked into place, so a reader of the folder sees either
// nothing or the whole document, never part of it. A name already in the
// folder is refused (job_rejected): job names are idempotency keys.
#pragma once

#include <memory>
#include <string>

#include "cardd/common/result.h"
#include "cardd/printer/printer.h"

namespace cardd::printer::detail {

// uri: "dir:///absolute/path". The directory must exist when jobs are sent
// (a hot folder that is not mounted is printer_unavailable, not an error here).
Result<std::unique_ptr<Printer>> open_dir_printer(const std::string& uri);

// ".pdf", ".png", ".jpg", ".pwg", else ".bin".
std::string extension_for(std::string_view format);

}  // namespace cardd::printer::detail
