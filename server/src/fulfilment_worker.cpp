#include "fulfilment_worker.h"

#include <spdlog/spdlog.h>

namespace cardd::server {

FulfilmentWorker::FulfilmentWorker(db::Store& store, Fulfilment fulfilment, std::int64_t pack_batch,
                                   std::chrono::milliseconds interval, std::function<bool()> idle,
                                   std::function<void()> changed, std::unique_ptr<PackPaper> paper,
                                   std::chrono::milliseconds paper_retry)
    : Worker("fulfilment"),
      store_(store),
      fulfilment_(std::move(fulfilment)),
      pack_batch_(pack_batch),
      idle_(std::move(idle)),
      changed_(std::move(changed)),
      interval_(interval),
      paper_(std::move(paper)),
      paper_retry_(paper_retry) {}

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
  // Packs an earlier run packed and did not ship (stopped in between), or
  // whose shipping failed: at start and then every minute, so that a
  // failure that stays (an exhausted number range) is said once a minute.
  // ship() keeps the numbers already given.
  if (const auto now = std::chrono::steady_clock::now(); now >= next_unshipped_) {
    next_unshipped_ = now + std::chrono::minutes(1);
    if (auto unshipped = store_.packs_to_ship(100); !unshipped)
      spdlog::error("fulfilment: {}", unshipped.error().describe());
    else
      moved = ship(*unshipped) || moved;
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
      std::vector<std::string> ids;
      for (const Pack& pack : *packs) ids.push_back(pack.pack_id);
      moved = ship(ids) || moved;
    }
  }
  print_paper();
  if (moved && changed_) changed_();
}

bool FulfilmentWorker::ship(const std::vector<std::string>& pack_ids) {
  for (const std::string& id : pack_ids) {
    auto shipped = fulfilment_.ship(id);
    if (!shipped) {
      spdlog::error("fulfilment: ship {}: {}", id, shipped.error().describe());
      continue;
    }
    spdlog::info("fulfilment: pack {}: {} cards shipped", id, shipped->size());
  }
  return !pack_ids.empty();
}

// After shipping, and again for packs an earlier failure left unprinted.
void FulfilmentWorker::print_paper() {
  if (!paper_ || std::chrono::steady_clock::now() < next_paper_) return;
  auto printed = paper_->print_pending();
  if (!printed) {
    // The pack stays SHIPPED; the error names packs, applications and the
    // printer, never the holders.
    spdlog::error("fulfilment: {} (retried in {} s)", printed.error().describe(),
                  std::chrono::duration_cast<std::chrono::seconds>(paper_retry_).count());
    next_paper_ = std::chrono::steady_clock::now() + paper_retry_;
    return;
  }
  if (*printed > 0)
    spdlog::info("fulfilment: letters and labels of {} packs printed on {}", *printed,
                 paper_->printer_uri());
}

}  // namespace cardd::server
