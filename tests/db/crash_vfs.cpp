#include "crash_vfs.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace cardd::db::test {
namespace {

constexpr std::size_t kSector = 512;

CrashVfs* the_vfs = nullptr;

// Our file, followed in the same allocation by the base VFS's file.
struct File {
  sqlite3_file base;
  sqlite3_file* real;
};

File* file(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* real(sqlite3_file* f) { return file(f)->real; }

int x_close(sqlite3_file* f) {
  the_vfs->closed(f);
  return real(f)->pMethods != nullptr ? real(f)->pMethods->xClose(real(f)) : SQLITE_OK;
}
int x_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), out, amount, offset);
}
int x_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  if (!the_vfs->count_change()) return SQLITE_IOERR_WRITE;
  const int rc = real(f)->pMethods->xWrite(real(f), data, amount, offset);
  if (rc == SQLITE_OK)
    the_vfs->changed(
        f, {false, offset,
            std::string(static_cast<const char*>(data), static_cast<std::size_t>(amount))});
  return rc;
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (!the_vfs->count_change()) return SQLITE_IOERR_TRUNCATE;
  const int rc = real(f)->pMethods->xTruncate(real(f), size);
  if (rc == SQLITE_OK) the_vfs->changed(f, {true, size, {}});
  return rc;
}
int x_sync(sqlite3_file* f, int flags) {
  if (!the_vfs->count_change()) return SQLITE_IOERR_FSYNC;
  const int rc = real(f)->pMethods->xSync(real(f), flags);
  if (rc == SQLITE_OK) the_vfs->synced(f);
  return rc;
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int x_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int x_check_reserved(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int remove) {
  return real(f)->pMethods->xShmUnmap(real(f), remove);
}

// Version 2: shared memory, no memory-mapped reads (they would bypass
// nothing here, but version 3 would have to forward xFetch too).
const sqlite3_io_methods kMethods = {2,           x_close,          x_read,         x_write,
                                     x_truncate,  x_sync,           x_file_size,    x_lock,
                                     x_unlock,    x_check_reserved, x_file_control, x_sector_size,
                                     x_device,    x_shm_map,        x_shm_lock,     x_shm_barrier,
                                     x_shm_unmap, nullptr,          nullptr};

int x_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  File* ours = file(f);
  ours->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(File));
  sqlite3_vfs* base = the_vfs->base();
  const int rc = base->xOpen(base, name, ours->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    f->pMethods = nullptr;
    return rc;
  }
  the_vfs->opened(f, name != nullptr ? name : "");
  f->pMethods = &kMethods;
  (void)vfs;
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (!the_vfs->count_change()) return SQLITE_IOERR_DELETE;
  sqlite3_vfs* base = the_vfs->base();
  const int rc = base->xDelete(base, name, sync_dir);
  if (rc == SQLITE_OK) the_vfs->deleted(name);
  return rc;
}

}  // namespace

CrashVfs::CrashVfs() : base_(sqlite3_vfs_find(nullptr)) {
  if (the_vfs != nullptr || base_ == nullptr) throw std::logic_error("one CrashVfs at a time");
  the_vfs = this;
  vfs_ = *base_;
  vfs_.zName = "cardd-crash";
  vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
  vfs_.pNext = nullptr;
  vfs_.xOpen = x_open;
  vfs_.xDelete = x_delete;
  sqlite3_vfs_register(&vfs_, 1);
}

CrashVfs::~CrashVfs() {
  sqlite3_vfs_unregister(&vfs_);
  sqlite3_vfs_register(base_, 1);
  the_vfs = nullptr;
}

void CrashVfs::cut_after(std::uint64_t operations) {
  std::lock_guard lock(mutex_);
  cut_at_ = operations_ + std::max<std::uint64_t>(operations, 1);
}

bool CrashVfs::cut() const {
  std::lock_guard lock(mutex_);
  return cut_;
}

std::uint64_t CrashVfs::operations() const {
  std::lock_guard lock(mutex_);
  return operations_;
}

bool CrashVfs::count_change() {
  std::lock_guard lock(mutex_);
  if (cut_) return false;
  ++operations_;
  if (cut_at_ != 0 && operations_ >= cut_at_) cut_ = true;
  return !cut_;
}

void CrashVfs::opened(const sqlite3_file* f, std::string path) {
  std::lock_guard lock(mutex_);
  paths_[f] = std::move(path);
}

void CrashVfs::closed(const sqlite3_file* f) {
  std::lock_guard lock(mutex_);
  paths_.erase(f);
}

void CrashVfs::changed(const sqlite3_file* f, Change change) {
  std::lock_guard lock(mutex_);
  files_[paths_.at(f)].pending.push_back(std::move(change));
}

namespace {

void apply(std::string& content, const CrashVfs::Change& c) {
  const auto at = static_cast<std::size_t>(c.offset);
  if (c.truncate) {
    content.resize(at);
    return;
  }
  if (content.size() < at + c.data.size()) content.resize(at + c.data.size());
  std::memcpy(content.data() + at, c.data.data(), c.data.size());
}

}  // namespace

void CrashVfs::synced(const sqlite3_file* f) {
  std::lock_guard lock(mutex_);
  FileState& state = files_[paths_.at(f)];
  for (const Change& c : state.pending) apply(state.durable, c);
  state.pending.clear();
}

void CrashVfs::deleted(const std::string& path) {
  std::lock_guard lock(mutex_);
  files_.erase(path);
}

void CrashVfs::image(const std::filesystem::path& folder, std::mt19937& random) const {
  std::lock_guard lock(mutex_);
  std::filesystem::create_directories(folder);
  std::bernoulli_distribution kept(0.5);
  for (const auto& [path, state] : files_) {
    if (path.empty()) continue;  // SQLite's nameless temporary files
    std::string content = state.durable;
    for (const Change& c : state.pending) {
      if (c.truncate) {
        if (kept(random)) apply(content, c);
        continue;
      }
      // Sector by sector, each on the disk or not.
      for (std::size_t from = 0; from < c.data.size();) {
        const auto offset = static_cast<std::size_t>(c.offset) + from;
        const std::size_t n = std::min(c.data.size() - from, kSector - offset % kSector);
        if (kept(random))
          apply(content, {false, static_cast<std::int64_t>(offset), c.data.substr(from, n)});
        from += n;
      }
    }
    std::ofstream(folder / std::filesystem::path(path).filename(), std::ios::binary) << content;
  }
}

}  // namespace cardd::db::test
