// Brings the operator's pause flags (db::LineControlRepository, written by
// `cardctl line pause|resume` on any host) to the production lines, and
// writes back what each slot is doing for `cardctl line status`. One small
// read per poll; a heartbeat write only when a slot's report changed or
// every few polls.
//
// A flag is applied when it changes in the database (and once at the first
// poll), so a pause made in-process (ProductionLines::pause) stands until
// the database says otherwise.
//
// Thread safety: poll() from one thread at a time (the service's before
// start, then the worker's own).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "cardd/db/line_control_repository.h"
#include "cardd/server/production_lines.h"
#include "cardd/server/worker.h"

namespace cardd::server {

class LineControlWorker final : public Worker {
 public:
  LineControlWorker(db::LineControlRepository& controls, ProductionLines& lines,
                    std::chrono::milliseconds interval);
  ~LineControlWorker() override { stop(); }

  // Reads the flags, applies the changed ones and reports the slots.
  void poll();

 private:
  void run() override;
  void report(const std::vector<SlotStatus>& slots);

  db::LineControlRepository& controls_;
  ProductionLines& lines_;
  std::chrono::milliseconds interval_;
  std::string reporter_;
  std::map<std::pair<std::string, std::string>, bool> applied_;  // (line, slot) → paused
  std::vector<db::SlotReport> last_report_;
  int polls_since_report_ = 0;
  bool read_failed_ = false;
};

}  // namespace cardd::server
