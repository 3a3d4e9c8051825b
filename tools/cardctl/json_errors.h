// With --json every answer is JSON, errors included. Commands write their
// errors to std::cerr as "cardctl: ..." lines; while a JsonErrors lives those
// lines are collected instead, and finish() turns them into one document on
// stdout:
//   {"error":{"code":"db.not_found","message":"...","exit_code":1}}
// `code` is the first "<category>.<code>" the message names, else
// "cardctl.usage" (exit 2) or "cardctl.failed" (exit 1). Logs (spdlog) are not
// affected: they go to the log, not to the answer.
#pragma once

#include <iostream>
#include <sstream>
#include <string>

namespace cardd::cardctl {

class JsonErrors {
 public:
  JsonErrors();
  ~JsonErrors();
  JsonErrors(const JsonErrors&) = delete;
  JsonErrors& operator=(const JsonErrors&) = delete;

  // Prints the collected errors as JSON when the command failed; returns
  // `exit_code` unchanged.
  int finish(int exit_code);

 private:
  std::ostringstream collected_;
  std::streambuf* original_;
};

// A command that fails (exit code 1) with an answer of its own in JSON on
// stdout (`audit verify` of a broken log) calls this, so finish() does not
// add an error document to it.
void mark_answered_in_json();

// True when the command line asks for JSON answers.
bool wants_json(int argc, char** argv);

}  // namespace cardd::cardctl
