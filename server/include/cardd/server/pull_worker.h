// The bureau pull loop of the service: every `interval`, pulls approved
// applications (puller.h) from the stored cursor until caught up. A failed
// pull (bureau down, timeout, 5xx, TLS) is retried with back-off and its
// reason logged (no PII). A cursor error — `next` not moving forward,
// oversized, or an unusable stored cursor — stops this loop for good: it is
// logged at error level and the rest of the service keeps running.
//
// Thread safety: see worker.h; the store is shared (it serialises calls).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>

#include "cardd/db/store.h"
#include "cardd/intake/validator.h"
#include "cardd/server/backoff.h"
#include "cardd/server/bureau_client.h"
#include "cardd/server/intake.h"
#include "cardd/server/worker.h"

namespace cardd::server {

struct PullWorkerOptions {
  std::chrono::milliseconds interval{5000};  // between pulls once caught up
  int page_size = 200;
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{15000};
  // Called after each stored page (its VALIDATED/REJECTED changes wait
  // in the outbox): the service nudges the status pusher.
  std::function<void()> on_stored;
};

class PullWorker final : public Worker {
 public:
  // `bureau` should make one attempt per request (the loop backs off itself,
  // so stop() is not held up by the client's own retries).
  PullWorker(BureauClient bureau, db::Store& store, intake::ValidatorOptions rules,
             PullWorkerOptions options);
  ~PullWorker() override;

  // True once a cursor error stopped the pulling.
  bool halted() const { return halted_; }
  // Ok unless the pulling halted or the last kUnreachableAfter pulls failed
  // (then the last failure): one failed request in a while is not an outage.
  Status bureau_reachable() const;
  static constexpr int kUnreachableAfter = 3;

 protected:
  void run() override;

 private:
  BureauClient bureau_;
  db::Store& store_;
  Intake intake_;
  PullWorkerOptions options_;
  std::atomic<bool> halted_{false};
  mutable std::mutex mutex_;
  int failures_ = 0;  // in a row
  Status last_failure_;
};

}  // namespace cardd::server
