// Deletes the images whose retention ended (retention.h) once at start and
// then every `interval`, logging how many; a failed run is logged and tried
// again at the next.
#pragma once

#include <spdlog/spdlog.h>

#include "cardd/db/store.h"
#include "cardd/server/retention.h"
#include "cardd/server/worker.h"

namespace cardd::server {

class RetentionWorker final : public Worker {
 public:
  RetentionWorker(db::Store& store, std::int64_t image_days, std::chrono::milliseconds interval)
      : Worker("retention"), store_(store), image_days_(image_days), interval_(interval) {}
  ~RetentionWorker() override { stop(); }

 private:
  void run() override {
    do {
      RetentionRun run{image_days_, "cardd retention", unix_now(), false};
      auto purged = purge_expired_images(store_, run);
      if (!purged)
        spdlog::error("retention: images not deleted: {}", purged.error().describe());
      else if (!purged->empty())
        spdlog::info(
            "retention: photo and ID-card images of {} delivered or collected cards "
            "deleted ({} days after)",
            purged->size(), image_days_);
    } while (!wait_for(interval_));
  }

  db::Store& store_;
  std::int64_t image_days_;
  std::chrono::milliseconds interval_;
};

}  // namespace cardd::server
