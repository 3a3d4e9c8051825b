// Reads key components typed by a key custodian, without echo on a terminal.
#pragma once

#include <optional>
#include <string>

namespace cardd::cardctl {

// Prompts on stderr; reads one line from the terminal with echo off, or from
// stdin when it is not a terminal (automation). nullopt at end of input.
std::optional<std::string> read_secret_line(const std::string& prompt);

}  // namespace cardd::cardctl
