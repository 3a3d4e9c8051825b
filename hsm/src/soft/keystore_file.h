// The keystore's file operations: the writers' lock, reading, and atomic
// replacement. The format itself is keystore.cpp's.
//
// The lock is flock(2) on "<keystore>.lock", not on the keystore: every write
// replaces the keystore by rename, so a writer waiting on the old file's lock
// would wake up holding a lock on a file no longer at the path while a third
// writer locks the new one. The lock file is never renamed. flock locks
// belong to an open file description, so two Keystore objects in one process
// exclude each other as two processes do.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../files/private_file.h"

namespace cardd::hsm {

// Held while one writer re-reads, changes and rewrites the keystore.
class KeystoreLock {
 public:
  // Blocks until the exclusive lock is held. Errors: io.
  static Result<KeystoreLock> acquire(const std::string& keystore_path);

 private:
  explicit KeystoreLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing it releases the lock
};

// Which file is at the path and when it last changed. Every write is a new
// file (rename), so an unchanged identity means unchanged content, short of
// inode reuse within one timestamp tick with the same size.
struct FileIdentity {
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

struct KeystoreFile {
  std::vector<std::uint8_t> bytes;
  FileIdentity identity;
};

// The keystore's bytes, or nullopt when the file does not exist. Refuses a
// symbolic link and a file group or others may read or write (io).
Result<std::optional<KeystoreFile>> read_keystore_file(const std::string& path);

// The identity of the file at `path`, nullopt when it cannot be seen.
std::optional<FileIdentity> keystore_file_identity(const std::string& path);

// Writes `data` to "<path>.tmp" (created exclusively, 0600, never through a
// symbolic link), fsyncs, renames over `path` and fsyncs the directory: a
// crash leaves the old file or the new one. A temporary file left by a crash
// is removed first, which is safe only because `lock` is held.
Status write_keystore_file(const KeystoreLock& lock, const std::string& path,
                           std::span<const std::uint8_t> data);

}  // namespace cardd::hsm
