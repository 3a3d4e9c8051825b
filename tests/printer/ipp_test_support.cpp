#include "ipp_test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

#include "cardd/printer/printer.h"

namespace cardd::printer::test {
namespace {

namespace fs = std::filesystem;
using cardd::test::ChildProcess;
using cardd::test::run_command;

// A bus that accepts connections (a socket file alone may be stale).
bool bus_answers(const fs::path& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

template <typename F>
bool wait_until(F ready, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

}  // namespace

IppDaemons::IppDaemons() {
  lock_fd_ = ::open("/tmp/cardd-ipp-tests.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0)
    throw std::runtime_error("cannot lock /tmp/cardd-ipp-tests.lock");
  try {
    start();
  } catch (...) {
    stop();
    throw;
  }
}

void IppDaemons::start() {
  const fs::path bus = "/run/dbus/system_bus_socket";
  if (!bus_answers(bus)) {
    fs::create_directories("/run/dbus");
    std::error_code ec;
    fs::remove(bus, ec);  // stale: no daemon behind it
    dbus_ = ChildProcess::start({"dbus-daemon", "--system", "--nofork", "--nopidfile"});
    if (!wait_until([&] { return bus_answers(bus); }, std::chrono::seconds(10)))
      throw std::runtime_error("dbus-daemon did not start: " + dbus_.stderr_text());
  }
  if (run_command({"avahi-daemon", "--check"}).exit_code != 0) {
    avahi_ = ChildProcess::start({"avahi-daemon", "--no-drop-root", "--no-chroot"});
    if (!wait_until(
            [] {
              return run_command({"avahi-daemon", "--check"}).exit_code == 0;
            },
            std::chrono::seconds(10)))
      throw std::runtime_error("avahi-daemon did not start: " + avahi_.stderr_text());
  }
}

// Only what this object started; the lock goes last.
void IppDaemons::stop() {
  avahi_.terminate();
  dbus_.terminate();
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
}

IppDaemons::~IppDaemons() { stop(); }

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("free_port: cannot bind");
  ::close(fd);
  return ntohs(addr.sin_port);
}

IppEvePrinter::IppEvePrinter(fs::path spool, int port) : spool_(std::move(spool)), port_(port) {
  fs::create_directories(spool_);
}

IppEvePrinter::~IppEvePrinter() { stop(); }

void IppEvePrinter::start() {
  // A DNS-SD name of its own, so printers of concurrent tests do not clash.
  const std::string name = "cardd-test-" + std::to_string(::getpid()) + "-" + std::to_string(port_);
  process_ = ChildProcess::start({"ippeveprinter", "-n", "localhost", "-p", std::to_string(port_),
                                  "-d", spool_.string(), "-k", "-c", "/bin/true", "-f",
                                  "application/pdf,image/png,image/jpeg", name});
  auto printer = open_printer(uri(), PrinterOptions{std::chrono::milliseconds(1000), "test"});
  if (!printer) throw std::runtime_error(printer.error().describe());
  const bool up = wait_until([&] { return process_.running() && (*printer)->status().ok(); },
                             std::chrono::seconds(15));
  if (!up) {
    process_.terminate();
    throw std::runtime_error("ippeveprinter did not start on port " + std::to_string(port_) + ": " +
                             process_.stderr_text());
  }
}

void IppEvePrinter::stop() { process_.terminate(); }

void IppEvePrinter::kill() {
  if (!process_.running()) return;
  ::kill(process_.pid(), SIGKILL);
  process_.wait();
}

std::string IppEvePrinter::uri() const {
  return "ipp://127.0.0.1:" + std::to_string(port_) + "/ipp/print";
}

std::vector<fs::path> IppEvePrinter::documents() const {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(spool_))
    if (e.is_regular_file() && e.path().extension() != ".prn") out.push_back(e.path());
  return out;
}

}  // namespace cardd::printer::test
