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

// The keystore's bytes, or nullopt when the file does not exist. Refuses a
// symbolic link and a file group or others may read or write (io).
Result<std::optional<std::vector<std::uint8_t>>> read_keystore_file(const std::string& path);

// Writes `data` to "<path>.tmp" (created exclusively, 0600, never through a
// symbolic link), fsyncs, renames over `path` and fsyncs the directory: a
// crash leaves the old file or the new one. A temporary file left by a crash
// is removed first, which is safe only because `lock` is held.
Status write_keystore_file(const KeystoreLock& lock, const std::string& path,
                           std::span<const std::uint8_t> data);

}  // namespace cardd::hsm
