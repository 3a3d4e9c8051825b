// The service's fulfilment worker: cards that passed QC move on by
// themselves. Branch cards (and returned mail) are dispatched to their
// branch; mail cards are packed by postal area once a full pack is waiting
// or the lines have nothing left to make, and each pack is shipped at once
// with its tracking numbers, then its letters and labels go to the paper
// printer (PackPaper). A failed paper print leaves the pack SHIPPED and is
// tried again after `paper_retry`. Courier events, branch receipts and hand-overs
// come from outside (cardctl today, the HTTP API later).
//
// Thread safety: as Worker; round() from one thread at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "cardd/db/store.h"
#include "cardd/server/fulfilment.h"
#include "cardd/server/pack_paper.h"
#include "cardd/server/worker.h"

namespace cardd::server {

class FulfilmentWorker final : public Worker {
 public:
  // `idle` says whether the production lines have nothing left to make;
  // `changed` is called after state changes. `paper` may be null (no paper
  // printed).
  FulfilmentWorker(db::Store& store, Fulfilment fulfilment, std::int64_t pack_batch,
                   std::chrono::milliseconds interval, std::function<bool()> idle,
                   std::function<void()> changed, std::unique_ptr<PackPaper> paper = nullptr,
                   std::chrono::milliseconds paper_retry = std::chrono::seconds(30));
  ~FulfilmentWorker() override;

  // One round: dispatch, pack and ship what is due.
  void round();

 private:
  void run() override;
  void print_paper();
  // Ships each pack; false when there were none.
  bool ship(const std::vector<std::string>& pack_ids);

  db::Store& store_;
  Fulfilment fulfilment_;
  std::int64_t pack_batch_;
  std::function<bool()> idle_;
  std::function<void()> changed_;
  std::chrono::milliseconds interval_;
  std::unique_ptr<PackPaper> paper_;
  std::chrono::milliseconds paper_retry_;
  std::chrono::steady_clock::time_point next_paper_{};
  std::chrono::steady_clock::time_point next_unshipped_{};  // the next look for unshipped packs
};

}  // namespace cardd::server
