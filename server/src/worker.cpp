#include "cardd/server/worker.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace cardd::server {

Worker::~Worker() {
  // Derived destructors stop first; this only catches a forgotten one (the
  // thread would otherwise call into a destroyed object).
  if (thread_.joinable()) std::terminate();
}

void Worker::start() {
  thread_ = std::thread([this] {
    spdlog::debug("{}: started", name_);
    run();
    spdlog::debug("{}: finished", name_);
  });
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Worker::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

bool Worker::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, timeout, [this] { return stop_ || notified_; });
  notified_ = false;
  return stop_;
}

bool Worker::stopping() const {
  std::lock_guard lock(mutex_);
  return stop_;
}

}  // namespace cardd::server
