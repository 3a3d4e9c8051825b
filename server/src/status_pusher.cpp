#include "cardd/server/status_pusher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

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
    for (const db::OutboxMessage& m : *pending) {
      if (auto s = session.post_status(m.payload, m.event_id); !s) {
        (void)outbox.mark_attempt_failed(m.seq);
        spdlog::warn("status push: message {} not taken ({}); it and those after it wait",
                     m.event_id, s.error().describe());
        report.status = s;
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
