// A power cut below SQLite: a VFS over the default one that knows, for each
// file, what has surely reached the disk (its content as of its last xSync)
// and what was written since. After a set number of writes, syncs and
// truncations the power goes: every later call that would change a file
// fails, and image() gives the files as a disk could hold them then, each
// unsynced 512-byte sector (and each unsynced truncation) kept or lost by
// chance, in any combination.
//
// While it lives it is SQLite's default VFS (so Store::open uses it);
// memory maps are off for files opened through it (its files are version 2).
// One instance at a time; test code only.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace cardd::db::test {

class CrashVfs {
 public:
  CrashVfs();
  ~CrashVfs();
  CrashVfs(const CrashVfs&) = delete;
  CrashVfs& operator=(const CrashVfs&) = delete;

  // The power goes at the `operations`-th change from now on (1: the next).
  void cut_after(std::uint64_t operations);
  bool cut() const;
  // Changes so far (writes, syncs, truncations).
  std::uint64_t operations() const;
  // Writes each file the cut left into `folder`, under its own name.
  void image(const std::filesystem::path& folder, std::mt19937& random) const;

  // For the VFS callbacks.
  struct Change {
    bool truncate = false;
    std::int64_t offset = 0;  // or the truncated size
    std::string data;
  };
  struct FileState {
    std::string durable;
    std::vector<Change> pending;
  };
  bool count_change();  // false: the power is off (now or before)
  void opened(const sqlite3_file* f, std::string path);
  void closed(const sqlite3_file* f);
  void changed(const sqlite3_file* f, Change change);
  void synced(const sqlite3_file* f);
  void deleted(const std::string& path);
  sqlite3_vfs* base() const { return base_; }

 private:
  mutable std::mutex mutex_;
  sqlite3_vfs* base_;
  sqlite3_vfs vfs_{};
  std::map<std::string, FileState> files_;
  std::map<const sqlite3_file*, std::string> paths_;  // open files
  std::uint64_t operations_ = 0;
  std::uint64_t cut_at_ = 0;  // 0: no cut planned
  bool cut_ = false;
};

}  // namespace cardd::db::test
