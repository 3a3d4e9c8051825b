#include "cardd/hsm/secure_bytes.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <new>
#include <vector>

namespace cardd::hsm {

std::size_t secure_page_size() {
  static const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

namespace {

std::size_t whole_pages(std::size_t bytes) {
  const std::size_t page = secure_page_size();
  return (bytes == 0 ? 1 : (bytes + page - 1) / page) * page;
}

// Single pages (every key, PIN block and key schedule fits in one) are
// kept locked and out of core dumps after use, wiped, and handed out again:
// mlock, munlock and madvise change the process's memory map under its
// lock, so doing them for every short-lived key copy serialised key
// operations from several threads. At most kPooled pages are kept.
constexpr std::size_t kPooled = 256;

struct PagePool {
  std::mutex mutex;
  std::vector<void*> pages;
};

PagePool& pool() {
  // Never destroyed: SecureBytes in static objects are freed after it would be.
  static auto* p = new PagePool();
  return *p;
}

}  // namespace

void* secure_allocate(std::size_t bytes) {
  const std::size_t size = whole_pages(bytes);
  if (size == secure_page_size()) {
    PagePool& pp = pool();
    std::lock_guard lock(pp.mutex);
    if (!pp.pages.empty()) {
      void* page = pp.pages.back();
      pp.pages.pop_back();
      return page;
    }
  }
  void* p = ::operator new (size, std::align_val_t{secure_page_size()});
  if (::mlock(p, size) != 0) {
    static std::atomic<bool> said{false};
    if (!said.exchange(true))
      spdlog::debug("hsm: key memory cannot be locked in RAM (RLIMIT_MEMLOCK?); continuing");
  }
  (void)::madvise(p, size, MADV_DONTDUMP);
  return p;
}

void secure_deallocate(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  const std::size_t size = whole_pages(bytes);
  OPENSSL_cleanse(p, size);
  if (size == secure_page_size()) {
    PagePool& pp = pool();
    std::lock_guard lock(pp.mutex);
    if (pp.pages.size() < kPooled) {
      pp.pages.push_back(p);
      return;
    }
  }
  (void)::munlock(p, size);
  // The heap may hand these pages to ordinary data next.
  (void)::madvise(p, size, MADV_DODUMP);
  ::operator delete (p, std::align_val_t{secure_page_size()});
}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

void SecureBytes::wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

bool SecureBytes::equals(std::span<const std::uint8_t> other) const {
  if (other.size() != bytes_.size()) return false;
  return CRYPTO_memcmp(bytes_.data(), other.data(), bytes_.size()) == 0;
}

}  // namespace cardd::hsm
