// Key bytes, where they must exist in clear (soft backend, key ceremony):
// wiped when released, never copied implicitly, never printable, kept in
// memory that is locked and left out of core dumps where the system allows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cardd::hsm {

// Whole pages, page-aligned, so that no other data shares them: mlock()ed
// (best effort: past RLIMIT_MEMLOCK they stay unlocked, said once at debug
// level) and madvise(MADV_DONTDUMP)ed; wiped, unlocked and re-included in
// dumps before they are freed. Throws std::bad_alloc like operator new.
void* secure_allocate(std::size_t bytes);
void secure_deallocate(void* p, std::size_t bytes) noexcept;
std::size_t secure_page_size();

template <class T>
struct SecureAllocator {
  using value_type = T;
  SecureAllocator() = default;
  template <class U>
  SecureAllocator(const SecureAllocator<U>&) {}  // NOLINT: allocators convert implicitly
  T* allocate(std::size_t n) { return static_cast<T*>(secure_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { secure_deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const SecureAllocator<U>&) const {
    return true;
  }
};

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(std::size_t size) : bytes_(size, 0) {}
  explicit SecureBytes(std::span<const std::uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}
  ~SecureBytes() { wipe(); }

  SecureBytes(SecureBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
    other.bytes_.clear();
  }
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;
  // An explicit copy, for the rare place that needs two.
  SecureBytes clone() const { return SecureBytes(span()); }

  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::span<std::uint8_t> span() { return bytes_; }
  std::span<const std::uint8_t> span() const { return bytes_; }
  std::uint8_t& operator[](std::size_t i) { return bytes_[i]; }
  std::uint8_t operator[](std::size_t i) const { return bytes_[i]; }

  // Constant-time comparison.
  bool equals(std::span<const std::uint8_t> other) const;
  void wipe();

 private:
  std::vector<std::uint8_t, SecureAllocator<std::uint8_t>> bytes_;
};

}  // namespace cardd::hsm
