// Process-wide logging set-up (spdlog). Log lines never carry a full ID
// number, phone number, photo or key: callers mask with cardd/common/pii.h.
#pragma once

#include <string>

namespace cardd {

enum class LogFormat {
  text,  // "[time] [level] message", for people
  json,  // one JSON object a line: {"time","level","logger","msg"}, for collectors
};

// Sets the default logger: stderr, plus `file` when not empty, both in `format`. Unknown level
// names fall back to "warn". Safe to call more than once. A new log file is
// created 0600; an existing regular one that group or others may read or
// write is made 0600, with a warning on stderr (logs are operational records).
void configure_logging(const std::string& level, const std::string& file = {},
                       LogFormat format = LogFormat::text);

}  // namespace cardd
