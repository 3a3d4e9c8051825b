#include "cardd/server/status_pusher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "cardd/common/metrics.h"

namespace cardd::server {
namespace {

constexpr std::int64_t kBatch = 200;

}  // namespace

PushReport push_outbox(db::OutboxRepository& outbox, const BureauClient& bureau,
                       std::int64_t limit) {
  PushReport report;
  while (limit == 0 || report.sent < limit) {
    const std::int64_t want = limit == 0 ? kBatch : std::min(kBatch, limit - report.sent);
    auto pending = outbox.pending_outbox(want);
    if (!pending) {
      report.status = pending.error();
      break;
    }
    if (pending->empty()) break;
    // One connection for the batch (keep-alive), not one per message.
    auto session = bureau.session();
    metrics::Histogram& latency =
        metrics::histogram("cardd_status_push_seconds", "One status message posted to the bureau");
    for (const db::OutboxMessage& m : *pending) {
      const auto started = std::chrono::steady_clock::now();
      Status posted = session.post_status(m.payload, m.event_id);
      latency.observe(std::chrono::steady_clock::now() - started);
      if (!posted) {
        (void)outbox.mark_attempt_failed(m.seq);
        spdlog::warn("status push: message {} not taken ({}); it and those after it wait",
                     m.event_id, posted.error().describe());
        report.status = posted;
        break;
      }
      if (auto s = outbox.mark_sent(m.seq); !s) {
        report.status = s;
        break;
      }
      ++report.sent;
    }
    if (!report.status) break;
  }
  if (auto backlog = outbox.outbox_backlog()) report.backlog = *backlog;
  return report;
}

}  // namespace cardd::server
