#include "claim_holder.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace cardd::server {
namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

std::string claim_holder(std::string_view reader) {
  return fmt::format("{}/{}/{}", host_name(), getpid(), reader);
}

bool holder_alive(const db::CardClaim& claim, std::int64_t now) {
  if (claim.lease_until < now) return false;
  const std::string_view h = claim.holder;
  const auto host_end = h.find('/');
  const auto pid_end = host_end == std::string_view::npos ? h.npos : h.find('/', host_end + 1);
  if (pid_end == std::string_view::npos) return true;  // not ours to judge: wait for the lease
  if (h.substr(0, host_end) != host_name()) return true;
  pid_t pid = 0;
  const auto digits = h.substr(host_end + 1, pid_end - host_end - 1);
  if (std::from_chars(digits.data(), digits.data() + digits.size(), pid).ec != std::errc() ||
      pid <= 0)
    return true;
  return kill(pid, 0) == 0 || errno == EPERM;
}

}  // namespace cardd::server
