// The service's fulfilment worker: cards that passed QC move on by
// themselves. Branch cards (and returned mail) are dispatched to their
// branch; mail cards are packed by postal area once a full pack is waiting
// or the lines have nothing left to make, and each pack is shipped at once
// with its tracking numbers. Courier events, branch receipts and hand-overs
// come from outside (cardctl today, the HTTP API later).
//
// Thread safety: as Worker; round() from one thread at a time.
#pragma once

#include <chrono>
#include <functional>

#include "cardd/db/store.h"
#include "cardd/server/fulfilment.h"
#include "cardd/server/worker.h"

namespace cardd::server {

class FulfilmentWorker final : public Worker {
 public:
  // `idle` says whether the production lines have nothing left to make;
  // `changed` is called after state changes.
  FulfilmentWorker(db::Store& store, Fulfilment fulfilment, std::int64_t pack_batch,
                   std::chrono::milliseconds interval, std::function<bool()> idle,
                   std::function<void()> changed);
  ~FulfilmentWorker() override;

  // One round: dispatch, pack and ship what is due.
  void round();

 private:
  void run() override;

  db::Store& store_;
  Fulfilment fulfilment_;
  std::int64_t pack_batch_;
  std::function<bool()> idle_;
  std::function<void()> changed_;
  std::chrono::milliseconds interval_;
};

}  // namespace cardd::server
