#include "stop_signals.h"

#include <pthread.h>

namespace cardd::daemon {

StopSignals::StopSignals() {
  sigemptyset(&stop_);
  sigaddset(&stop_, SIGTERM);
  sigaddset(&stop_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_, &previous_);
}

StopSignals::~StopSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

int StopSignals::wait() const {
  int sig = 0;
  while (sigwait(&stop_, &sig) != 0) {
  }
  return sig;
}

}  // namespace cardd::daemon
