// Process-wide logging set-up (spdlog). Log lines never carry a full ID
// number, phone number, photo or key: callers mask with cardd/common/pii.h.
#pragma once

#include <string>

namespace cardd {

// Sets the default logger: stderr, plus `file` when not empty. Unknown level
// names fall back to "warn". Safe to call more than once. A new log file is
// created 0600; an existing regular one that group or others may read or
// write is made 0600, with a warning on stderr (logs are operational records).
void configure_logging(const std::string& level, const std::string& file = {});

}  // namespace cardd
