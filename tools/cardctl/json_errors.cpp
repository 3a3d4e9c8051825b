#include "json_errors.h"

#include <nlohmann/json.hpp>
#include <regex>
#include <string_view>

namespace cardd::cardctl {
namespace {
bool answered_in_json = false;
}  // namespace

void mark_answered_in_json() { answered_in_json = true; }

JsonErrors::JsonErrors() : original_(std::cerr.rdbuf(collected_.rdbuf())) {}

JsonErrors::~JsonErrors() { std::cerr.rdbuf(original_); }

int JsonErrors::finish(int exit_code) {
  std::cerr.rdbuf(original_);
  if (exit_code == 0 || (answered_in_json && collected_.str().empty())) {
    std::cerr << collected_.str();  // warnings of a command that succeeded stay warnings
    return exit_code;
  }
  std::string message = collected_.str();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  for (std::size_t at = 0; (at = message.find("cardctl: ", at)) != std::string::npos;)
    message.erase(at, std::string_view("cardctl: ").size());
  static const std::regex kCode(R"(\b([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*):)");
  std::smatch match;
  std::string code = exit_code == 2 ? "cardctl.usage" : "cardctl.failed";
  if (std::regex_search(message, match, kCode)) code = match[1].str();
  const nlohmann::json out = {
      {"error", {{"code", code}, {"message", message}, {"exit_code", exit_code}}}};
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  return exit_code;
}

bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--json") return true;
  return false;
}

}  // namespace cardd::cardctl
