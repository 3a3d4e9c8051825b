// Readers reached through PC/SC (pcsc-lite's pcscd): real encoder slots in
// production, vpcd virtual slots in tests.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/card/reader.h"
#include "cardd/common/result.h"

namespace cardd::card {

// Names of the readers pcscd knows whose name contains `pattern`.
// Errors: reader_lost (pcscd not running), no_reader.
Result<std::vector<std::string>> list_pcsc_readers(std::string_view pattern = "");

// A Reader on the first PC/SC reader whose name contains `pattern`. Each
// Reader has its own PC/SC context, so readers can be driven from different
// threads at once.
Result<std::unique_ptr<Reader>> open_pcsc_reader(std::string_view pattern);

}  // namespace cardd::card
