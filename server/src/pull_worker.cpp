#include "cardd/server/pull_worker.h"

#include <spdlog/spdlog.h>

#include "cardd/common/actor.h"
#include "cardd/server/puller.h"

namespace cardd::server {
namespace {

// Pages per round: between rounds the loop looks at stop(), so a long
// backlog does not hold up a shutdown.
constexpr std::int64_t kPagesPerRound = 5;

}  // namespace

PullWorker::PullWorker(BureauClient bureau, db::Store& store, intake::ValidatorOptions rules,
                       PullWorkerOptions options)
    : Worker("bureau pull"),
      bureau_(std::move(bureau)),
      store_(store),
      intake_(store, std::move(rules), 1),
      options_(std::move(options)) {}

PullWorker::~PullWorker() { stop(); }

Status PullWorker::bureau_reachable() const {
  std::lock_guard lock(mutex_);
  if (halted_ || failures_ >= kUnreachableAfter) return last_failure_;
  return {};
}

void PullWorker::run() {
  Backoff backoff(options_.backoff_initial, options_.backoff_max);
  PullOptions pull;
  pull.page_limit = options_.page_size;
  pull.actor = local_actor("cardd");
  pull.max_pages = kPagesPerRound;
  // Each stored page's changes wait in the outbox: the pusher need not wait
  // for the end of the round.
  pull.on_page = [this](const IntakeSummary&, std::int64_t) {
    if (options_.on_stored) options_.on_stored();
  };
  while (!stopping()) {
    const PullResult result = pull_approved(bureau_, intake_, store_, pull);
    {
      std::lock_guard lock(mutex_);
      failures_ = result.status.ok() ? 0 : failures_ + 1;
      if (!result.status.ok()) last_failure_ = result.status;
    }
    if (result.pages > 0)
      spdlog::info("bureau pull: {} page(s) stored: {}", result.pages, result.summary.describe());
    if (result.status.ok()) {
      if (backoff.failures() > 0) spdlog::info("bureau pull: the bureau answers again");
      backoff.reset();
      if (!result.caught_up) continue;  // more pages wait: next round at once
      wait_for(options_.interval);
      continue;
    }
    const Error& error = result.status.error();
    if (error.code == BureauError::bad_cursor) {
      // Asking again would get the same answer: pulling stops until an
      // operator looks (the cursor stored stays as it was).
      halted_ = true;
      spdlog::error(
          "bureau pull: stopped: {}; no further pulls until the service is restarted after the "
          "bureau's cursor is fixed; the other work goes on",
          error.describe());
      return;
    }
    const auto delay = backoff.next();
    spdlog::warn("bureau pull: failed ({}); nothing lost, failure {}, next try in {} ms",
                 error.describe(), backoff.failures(), delay.count());
    wait_for(delay);
  }
}

}  // namespace cardd::server
