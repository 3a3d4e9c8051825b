// The status pusher of the service: sends the outbox to the bureau
// (status_pusher.h: oldest first, so in seq order per application, each with
// its idempotency key), batch after batch until the backlog is empty, then
// waits `interval` or until notify() (a worker that changed a state nudges
// it). While the bureau is down it backs off and logs why; nothing is lost,
// the messages wait in the outbox.
//
// On stop(): one last flush within `flush_deadline` (through `flush_bureau`,
// a client whose timeout fits in it), then the thread ends; what is left
// waits for the next start.
//
// Thread safety: see worker.h; the outbox is shared (the store serialises
// calls).
#pragma once

#include <chrono>

#include "cardd/db/outbox_repository.h"
#include "cardd/server/backoff.h"
#include "cardd/server/bureau_client.h"
#include "cardd/server/worker.h"

namespace cardd::server {

struct PushWorkerOptions {
  std::chrono::milliseconds interval{5000};  // idle wake-up
  std::chrono::milliseconds flush_deadline{5000};
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{15000};
};

class PushWorker final : public Worker {
 public:
  // Both clients should make one attempt per request (the loop backs off).
  PushWorker(BureauClient bureau, BureauClient flush_bureau, db::OutboxRepository& outbox,
             PushWorkerOptions options);
  ~PushWorker() override;

 protected:
  void run() override;

 private:
  void flush();

  BureauClient bureau_;
  BureauClient flush_bureau_;
  db::OutboxRepository& outbox_;
  PushWorkerOptions options_;
};

}  // namespace cardd::server
