// Logs where the work stands every few seconds (progress_line.h), for an
// operator watching the service's log.
#pragma once

#include <spdlog/spdlog.h>

#include "cardd/db/store.h"
#include "cardd/server/production_lines.h"
#include "cardd/server/worker.h"
#include "progress_line.h"

namespace cardd::server {

class ProgressWorker final : public Worker {
 public:
  ProgressWorker(db::Store& store, const ProductionLines& lines,
                 std::chrono::milliseconds interval = std::chrono::seconds(5))
      : Worker("progress"), store_(store), lines_(lines), interval_(interval) {}
  ~ProgressWorker() override { stop(); }

 private:
  void run() override {
    while (!wait_for(interval_)) {
      auto counts = store_.count_by_state();
      auto unsent = store_.outbox_backlog();
      if (counts && unsent) spdlog::info("{}", progress_line(*counts, *unsent, lines_.status()));
    }
  }

  db::Store& store_;
  const ProductionLines& lines_;
  std::chrono::milliseconds interval_;
};

}  // namespace cardd::server
