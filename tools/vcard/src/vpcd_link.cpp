#include "vpcd_link.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace cardd::vcard {

std::optional<VpcdLink> VpcdLink::connect(const std::string& host, std::uint16_t port,
                                          std::string& error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  VpcdLink link(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    error = "not an IPv4 address: " + host;
    return std::nullopt;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  // vpcd writes each message in pieces; without NODELAY/QUICKACK every round
  // trip waits for delayed ACKs (~48 ms instead of ~0.1 ms, notes/devices.md).
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return link;
}

VpcdLink::VpcdLink(VpcdLink&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

VpcdLink& VpcdLink::operator=(VpcdLink&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

VpcdLink::~VpcdLink() {
  if (fd_ >= 0) ::close(fd_);
}

bool VpcdLink::read_exactly(std::uint8_t* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::recv(fd_, out + done, n - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
  }
  return true;
}

std::optional<std::vector<std::uint8_t>> VpcdLink::receive() {
  std::uint8_t header[2];
  if (!read_exactly(header, 2)) return std::nullopt;
  std::vector<std::uint8_t> payload(static_cast<std::size_t>(header[0] << 8 | header[1]));
  if (!read_exactly(payload.data(), payload.size())) return std::nullopt;
  return payload;
}

void VpcdLink::abort() {
  if (fd_ < 0) return;
  const linger reset{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  ::close(std::exchange(fd_, -1));
}

bool VpcdLink::send(const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(payload.size() >> 8),
                                static_cast<std::uint8_t>(payload.size())};
  out.insert(out.end(), payload.begin(), payload.end());
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::send(fd_, out.data() + done, out.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace cardd::vcard
