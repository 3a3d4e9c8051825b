#include "secret_input.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace cardd::cardctl {
namespace {

// Turns terminal echo off for its lifetime.
class EchoOff {
 public:
  EchoOff() : active_(isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved_) == 0) {
    if (!active_) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  ~EchoOff() {
    if (!active_) return;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    std::cerr << "\n";
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_;
};

}  // namespace

std::optional<std::string> read_secret_line(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  EchoOff quiet;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  return line;
}

}  // namespace cardd::cardctl
