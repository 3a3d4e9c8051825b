#include "fulfilment_worker.h"

#include <spdlog/spdlog.h>

namespace cardd::server {

FulfilmentWorker::FulfilmentWorker(db::Store& store, Fulfilment fulfilment, std::int64_t pack_batch,
                                   std::chrono::milliseconds interval, std::function<bool()> idle,
                                   std::function<void()> changed)
    : Worker("fulfilment"),
      store_(store),
      fulfilment_(std::move(fulfilment)),
      pack_batch_(pack_batch),
      idle_(std::move(idle)),
      changed_(std::move(changed)),
      interval_(interval) {}

FulfilmentWorker::~FulfilmentWorker() { stop(); }

void FulfilmentWorker::run() {
  do {
    round();
  } while (!wait_for(interval_));
}

void FulfilmentWorker::round() {
  bool moved = false;
  if (auto dispatched = fulfilment_.dispatch_to_branches(); !dispatched)
    spdlog::error("fulfilment: dispatch: {}", dispatched.error().describe());
  else if (!dispatched->empty()) {
    spdlog::info("fulfilment: {} cards dispatched to their branches", dispatched->size());
    moved = true;
  }
  auto waiting = store_.waiting(db::AppState::qc_passed, db::CollectionMethod::mail, pack_batch_);
  if (!waiting) {
    spdlog::error("fulfilment: {}", waiting.error().describe());
    return;
  }
  const bool full_pack = static_cast<std::int64_t>(waiting->size()) >= pack_batch_;
  if (!waiting->empty() && (full_pack || (idle_ && idle_()))) {
    auto packs = fulfilment_.pack_mail();
    if (!packs) {
      spdlog::error("fulfilment: pack: {}", packs.error().describe());
    } else {
      for (const Pack& pack : *packs) {
        auto shipped = fulfilment_.ship(pack.pack_id);
        if (!shipped) {
          spdlog::error("fulfilment: ship {}: {}", pack.pack_id, shipped.error().describe());
          continue;
        }
        spdlog::info("fulfilment: pack {} (postal area {}): {} cards shipped", pack.pack_id,
                     pack.postal_area, shipped->size());
      }
      moved = moved || !packs->empty();
    }
  }
  if (moved && changed_) changed_();
}

}  // namespace cardd::server
