// SIGTERM and SIGINT as a request to stop, taken by one thread with
// sigwait(): the signals are blocked in the constructor, before any worker
// thread exists, so every thread inherits the mask and none is interrupted.
#pragma once

#include <signal.h>

namespace cardd::daemon {

class StopSignals {
 public:
  StopSignals();   // blocks SIGTERM and SIGINT in the calling thread
  ~StopSignals();  // restores the previous mask
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Waits until one of them arrives; returns its number.
  int wait() const;

 private:
  sigset_t stop_{};
  sigset_t previous_{};
};

}  // namespace cardd::daemon
