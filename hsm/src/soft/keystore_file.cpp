#include "keystore_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace cardd::hsm {

Result<KeystoreLock> KeystoreLock::acquire(const std::string& keystore_path) {
  const std::string path = keystore_path + ".lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return io_error("open the keystore lock", path);
  while (::flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) return io_error("lock", path);
  return KeystoreLock(std::move(fd));
}

namespace {

FileIdentity identity_of(const struct stat& st) {
  const auto ns = [](const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::uint64_t>(st.st_size), ns(st.st_mtim), ns(st.st_ctim)};
}

}  // namespace

std::optional<FileIdentity> keystore_file_identity(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return identity_of(st);
}

Result<std::optional<KeystoreFile>> read_keystore_file(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) return std::optional<KeystoreFile>();
  auto fd = open_private_file(path, "keystore");
  if (!fd) return fd.error();
  if (::fstat(fd->get(), &st) != 0) return io_error("inspect the keystore", path);
  auto text = read_all(fd->get(), path, std::size_t{64} << 20);
  if (!text) return text.error();
  return std::optional(
      KeystoreFile{std::vector<std::uint8_t>(text->begin(), text->end()), identity_of(st)});
}

Status write_keystore_file(const KeystoreLock& /*lock*/, const std::string& path,
                           std::span<const std::uint8_t> data) {
  const std::string tmp = path + ".tmp";
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return io_error("remove", tmp);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return io_error("create", tmp);
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd.get()) == 0;
  ok = (::close(fd.release()) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const Error e = io_error("write", path);
    ::unlink(tmp.c_str());
    return e;
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (UniqueFd dfd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      dfd.get() >= 0)
    ::fsync(dfd.get());
  return {};
}

}  // namespace cardd::hsm
