// Key bytes, where they must exist in clear (soft backend, key ceremony):
// wiped when released, never copied implicitly, never printable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cardd::hsm {

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
  std::vector<std::uint8_t> bytes_;
};

}  // namespace cardd::hsm
