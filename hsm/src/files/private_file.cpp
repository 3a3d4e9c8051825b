#include "private_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cardd::hsm {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Error io_error(std::string_view doing, const std::string& path) {
  return make_error(HsmError::io,
                    fmt::format("cannot {} {}: {}", doing, path, std::strerror(errno)));
}

Result<UniqueFd> open_private_file(const std::string& path, std::string_view what) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ELOOP)
      return make_error(
          HsmError::io,
          fmt::format("the {} {} is a symbolic link: give the file itself", what, path));
    return io_error(fmt::format("open the {}", what), path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error(fmt::format("inspect the {}", what), path);
  if (!S_ISREG(st.st_mode))
    return make_error(HsmError::io, fmt::format("the {} {} is not a regular file", what, path));
  // A secret others can read is no longer a secret; one others can write
  // could be swapped. Refused rather than fixed: the operator must look.
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return make_error(HsmError::io,
                      fmt::format("the {} {} has mode {:04o}: group or others may read or write "
                                  "it; chmod 600 {}",
                                  what, path, st.st_mode & 07777, path));
  return fd;
}

Result<std::string> read_all(int fd, const std::string& path, std::size_t limit) {
  std::string out;
  char buffer[4096];
  // No reallocation for small files (secrets): no stray copies left behind.
  out.reserve(std::min(limit, std::size_t{65536}) + sizeof buffer);
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("read", path);
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > limit) {
      std::fill(out.begin(), out.end(), '\0');
      return make_error(HsmError::io, fmt::format("{} is larger than {} bytes", path, limit));
    }
  }
  std::fill(buffer, buffer + sizeof buffer, '\0');
  return out;
}

}  // namespace cardd::hsm
