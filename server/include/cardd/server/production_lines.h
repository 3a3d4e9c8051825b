// The production lines of a center (spec/service.md, "Production lines"):
// every slot of every line works on its own thread, takes the oldest
// waiting application for the blank card in its reader and carries it
// through prepare → encode → print (the line's printer) → QC, one store
// transaction per state change. All slots share the HSM and the store.
//
// Thread safety: pause/resume/status from any thread; start/stop from one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cardd/card/reader.h"
#include "cardd/common/result.h"
#include "cardd/db/store.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/region/region.h"
#include "cardd/server/service_config.h"

namespace cardd::server {

struct LineTimings {
  std::chrono::milliseconds card_wait{500};        // one wait for a card or a reader
  std::chrono::milliseconds idle_poll{500};        // nothing to make: look again after
  std::chrono::milliseconds retry_after{30'000};   // an application that failed without a card
  std::chrono::milliseconds printer_retry{2'000};  // the printer away: the card waits
  std::chrono::milliseconds control_poll{1'000};   // the operator's pause flags read again
};

struct SlotStatus {
  std::string line;
  std::string slot;         // the reader-name pattern
  std::string reader;       // the reader found, "" while none matches
  std::string activity;     // "waiting for a blank card", "encoding", "reader missing", …
  std::string application;  // in hand, if any
  bool paused = false;
  std::int64_t made = 0;      // cards that passed QC
  std::int64_t spoiled = 0;   // cards spoiled at this slot
  double cards_per_hour = 0;  // over the last ten minutes
  // The lot of the last card this slot's hopper gave ("" before the first):
  // a hopper is loaded from one lot, so that lot's blanks left are its level.
  std::string lot;
};

class EncoderSlot;
class LinePrinter;
class WorkQueue;
struct SlotContext;

class ProductionLines {
 public:
  using ReaderOpener =
      std::function<Result<std::unique_ptr<card::Reader>>(const std::string& pattern)>;

  // Opens every line's printer (not contacted yet) and face template.
  // `changed` is called after state changes; `open_reader` defaults to PC/SC.
  static Result<std::unique_ptr<ProductionLines>> create(
      db::Store& store, hsm::Hsm& hsm, const personalization::CardProfile& profile,
      const region::Region& region, const std::vector<LineConfig>& lines, LineTimings timings,
      std::function<void()> changed, ReaderOpener open_reader = {});
  ProductionLines();  // no lines; create() makes the configured ones
  ~ProductionLines();
  ProductionLines(const ProductionLines&) = delete;
  ProductionLines& operator=(const ProductionLines&) = delete;

  void start();
  // No new cards; returns when every slot finished or parked its card.
  void stop();
  // A whole line (slot empty) or one slot. not_found for an unknown name.
  Status pause(std::string_view line, std::string_view slot = {});
  Status resume(std::string_view line, std::string_view slot = {});
  std::vector<SlotStatus> status() const;
  // Each line's printer: whether it answers and takes jobs (line_printer.h).
  std::vector<std::pair<std::string, Status>> printers_ready();
  // Nothing waits for a card and no slot has an application in hand.
  bool idle() const;

 private:
  Status set_paused(std::string_view line, std::string_view slot, bool paused);

  db::ApplicationRepository* applications_ = nullptr;
  std::unique_ptr<WorkQueue> queue_;
  std::unique_ptr<SlotContext> context_;
  std::vector<std::unique_ptr<LinePrinter>> printers_;
  std::vector<std::string> printer_lines_;  // the line of each printer
  std::vector<std::unique_ptr<EncoderSlot>> slots_;
};

}  // namespace cardd::server
