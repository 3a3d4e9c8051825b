// A real IPP printer for tests: ippeveprinter (cups-ipp-utils) on 127.0.0.1
// with its own spool directory, and the D-Bus system bus and avahi-daemon it
// needs for DNS-SD (notes/devices.md).
//
// IppDaemons starts dbus-daemon and avahi-daemon only when they are not
// running, and stops only what it started. It also holds an exclusive lock
// (/tmp/cardd-ipp-tests.lock) for its lifetime, so IPP tests from parallel
// ctest processes do not start and stop the daemons under each other.
//
// IppEvePrinter runs one ippeveprinter on a free port; it can be stopped,
// killed and started again on the same port and spool, like a printer that
// is switched off and on. Jobs are processed with `-c /bin/true` (the real
// IPP path, without ippeveprinter's 5–15 s simulated printing time), and
// kept in the spool (-k).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "child_process.h"

namespace cardd::printer::test {

class IppDaemons {
 public:
  IppDaemons();  // throws std::runtime_error when they cannot be started
  ~IppDaemons();
  IppDaemons(const IppDaemons&) = delete;
  IppDaemons& operator=(const IppDaemons&) = delete;

 private:
  void start();
  void stop();
  int lock_fd_ = -1;
  cardd::test::ChildProcess dbus_, avahi_;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();

class IppEvePrinter {
 public:
  IppEvePrinter(std::filesystem::path spool, int port);
  ~IppEvePrinter();

  // Starts it and waits until it answers Get-Printer-Attributes (throws
  // std::runtime_error with its stderr after 15 s).
  void start();
  void stop();  // SIGTERM
  void kill();  // SIGKILL: a printer losing power
  bool running() const { return process_.running(); }

  std::string uri() const;
  int port() const { return port_; }
  // The documents in the spool (not ippeveprinter's .prn output files).
  std::vector<std::filesystem::path> documents() const;

 private:
  std::filesystem::path spool_;
  int port_;
  cardd::test::ChildProcess process_;
};

}  // namespace cardd::printer::test
