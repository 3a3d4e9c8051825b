// The vsmartcard vpcd protocol, card side: connect to the reader driver's TCP
// port; every message is a 2-byte big-endian length and a payload. Length 1 is
// a control byte (0 power off, 1 power on, 2 reset, 4 get ATR — answered with
// the ATR); anything longer is a command APDU, answered with the response.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cardd::vcard {

class VpcdLink {
 public:
  // nullopt and `error` set when the connection fails.
  static std::optional<VpcdLink> connect(const std::string& host, std::uint16_t port,
                                         std::string& error);
  VpcdLink(VpcdLink&& other) noexcept;
  VpcdLink& operator=(VpcdLink&& other) noexcept;
  VpcdLink(const VpcdLink&) = delete;
  VpcdLink& operator=(const VpcdLink&) = delete;
  ~VpcdLink();

  // One message from vpcd; nullopt when the connection closed.
  std::optional<std::vector<std::uint8_t>> receive();
  bool send(const std::vector<std::uint8_t>& payload);
  // Resets the connection (TCP RST) instead of closing it: vpcd's pending
  // receive fails at once, which pcscd reports as a failed transmission.
  void abort();

 private:
  explicit VpcdLink(int fd) : fd_(fd) {}
  bool read_exactly(std::uint8_t* out, std::size_t n);
  int fd_ = -1;
};

}  // namespace cardd::vcard
