#include "cardd/server/push_worker.h"

#include <spdlog/spdlog.h>

#include "cardd/server/status_pusher.h"

namespace cardd::server {
namespace {

// Messages per round: between rounds the loop looks at stop().
constexpr std::int64_t kBatch = 200;
constexpr std::int64_t kFlushBatch = 20;

}  // namespace

PushWorker::PushWorker(BureauClient bureau, BureauClient flush_bureau, db::OutboxRepository& outbox,
                       PushWorkerOptions options)
    : Worker("status push"),
      bureau_(std::move(bureau)),
      flush_bureau_(std::move(flush_bureau)),
      outbox_(outbox),
      options_(options) {}

PushWorker::~PushWorker() { stop(); }

void PushWorker::run() {
  Backoff backoff(options_.backoff_initial, options_.backoff_max);
  while (!stopping()) {
    const PushReport report = push_outbox(outbox_, bureau_, kBatch);
    if (report.sent > 0)
      spdlog::info("status push: {} sent, {} waiting", report.sent, report.backlog);
    if (report.status.ok()) {
      if (backoff.failures() > 0) spdlog::info("status push: the bureau takes messages again");
      backoff.reset();
      if (report.sent > 0 && report.backlog > 0) continue;  // more waiting: next batch at once
      wait_for(options_.interval);
      continue;
    }
    // Progress before the failure means the bureau is there: start over.
    if (report.sent > 0) backoff.reset();
    const auto delay = backoff.next();
    spdlog::warn("status push: stopped ({}); {} waiting, nothing lost; next try in {} ms",
                 report.status.error().describe(), report.backlog, delay.count());
    wait_for(delay);
  }
  flush();
}

void PushWorker::flush() {
  const auto deadline = std::chrono::steady_clock::now() + options_.flush_deadline;
  std::int64_t sent = 0;
  std::int64_t backlog = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    const PushReport report = push_outbox(outbox_, flush_bureau_, kFlushBatch);
    sent += report.sent;
    backlog = report.backlog;
    if (!report.status.ok() || report.backlog == 0 || report.sent == 0) break;
  }
  spdlog::info("status push: final flush sent {}; {} waiting for the next start", sent,
               backlog < 0 ? std::int64_t{0} : backlog);
}

}  // namespace cardd::server
