// A background worker of the service (bureau pull, status push, production
// lines): one thread running a loop that waits on a condition variable, never
// sleeps, so stop() is prompt and notify() can wake it early.
//
// Service keeps a vector of Workers and calls start()/stop() on each.
// Derived classes implement run(), which must return soon after stopping()
// turns true, and call stop() in their destructor (the thread must be joined
// before their members go).
//
// Thread safety: start() and stop() from one thread (the service's);
// notify() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace cardd::server {

class Worker {
 public:
  explicit Worker(std::string name) : name_(std::move(name)) {}
  virtual ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  const std::string& name() const { return name_; }

  // Launches run() on a thread of its own. Once.
  void start();
  // Asks run() to finish and joins its thread. Idempotent.
  void stop();
  // Wakes the loop early (e.g. "there is new work"); no effect when stopping.
  void notify();

 protected:
  virtual void run() = 0;

  // Waits up to `timeout`, or until notify() or stop(). True when stopping.
  bool wait_for(std::chrono::milliseconds timeout);
  bool stopping() const;

 private:
  std::string name_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace cardd::server
