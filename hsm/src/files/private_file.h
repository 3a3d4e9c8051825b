// Files that hold or guard secrets (keystore, passphrase and PIN files, the
// keystore's lock): opened without following symbolic links, and refused
// when group or others may read or write them. One place for the rule.
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/hsm/error.h"

namespace cardd::hsm {

// An open file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Opens `path` read-only. Errors (io), each naming `what` and the path:
// missing, a symbolic link, not a regular file, or a mode that lets group or
// others read or write it ("chmod 600 PATH" in the message).
Result<UniqueFd> open_private_file(const std::string& path, std::string_view what);

// Reads the whole file (at most `limit` bytes, else io) from `fd`.
Result<std::string> read_all(int fd, const std::string& path, std::size_t limit);

// "cannot <doing> <path>: <strerror(errno)>" as an io error.
Error io_error(std::string_view doing, const std::string& path);

}  // namespace cardd::hsm
