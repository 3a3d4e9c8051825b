#include "cardd/common/actor.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstdlib>

namespace cardd {
namespace {

std::string user_name() {
  // sudo keeps the person's name: the operator, not root, pressed the key.
  if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user != nullptr && *sudo_user != '\0')
    return sudo_user;
  std::array<char, 4096> buffer{};
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
    return found->pw_name;
  return fmt::format("uid {}", geteuid());
}

std::string host_name() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "unknown-host";
  return name.data();
}

}  // namespace

std::string local_actor(std::string_view program) {
  return fmt::format("{}@{} via {}", user_name(), host_name(), program);
}

std::string actor_at_reader(std::string_view actor, std::string_view reader) {
  return fmt::format("{} at reader '{}'", actor, reader);
}

}  // namespace cardd
