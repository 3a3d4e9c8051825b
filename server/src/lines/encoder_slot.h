// One encoder slot of a production line, on its own thread: a blank card in
// its reader gets the oldest waiting application (prepared, encoded, printed
// on the line's printer, checked), then leaves the slot. A card left in the
// reader by an interrupted run is looked at first: its application goes on
// from where it stopped (an interrupted encoding is recovered by Issuance).
// A reader that goes away takes the slot out of the rotation until it is
// back; a paused slot finishes the card in hand and takes no more.
//
// Thread safety: pause/resume/snapshot from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cardd/card/reader.h"
#include "cardd/db/store.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/region/region.h"
#include "cardd/server/issuance.h"
#include "cardd/server/production_lines.h"
#include "cardd/server/quality_check.h"
#include "line_printer.h"
#include "throughput.h"
#include "work_queue.h"

namespace cardd::server {

// What every slot shares.
struct SlotContext {
  db::Store& store;
  hsm::Hsm& hsm;
  const personalization::CardProfile& profile;
  const region::Region& region;
  WorkQueue& queue;
  LineTimings timings;
  std::function<void()> changed;  // after every state change (nudges the pusher)
  // Opens the slot's reader; PC/SC unless a test says otherwise.
  std::function<Result<std::unique_ptr<card::Reader>>(const std::string& pattern)> open_reader;
};

class EncoderSlot {
 public:
  EncoderSlot(const SlotContext& context, LinePrinter& printer, std::string line,
              std::string pattern);
  ~EncoderSlot();
  EncoderSlot(const EncoderSlot&) = delete;
  EncoderSlot& operator=(const EncoderSlot&) = delete;

  void start();
  // No new card; returns once the card in hand is finished or parked.
  void stop();
  void pause(bool paused);
  SlotStatus snapshot() const;

 private:
  void run();
  bool wait(std::chrono::milliseconds pause);  // false once stopping
  void activity(std::string what, std::string application = {});
  void work_on_card();
  // `id` (in hand) with the card `chip` in the reader, then out of hand.
  void process(const std::string& id, const std::string& chip);
  // As far as the card allows; false when the application failed without
  // using the card (it waits a while before another try).
  bool carry(const std::string& id, const std::string& chip);
  void count_spoiled();
  // Out of the slot (to the printer or the reject bin); the feeder brings
  // the next blank card.
  void eject(const std::string& chip);
  // True (and the reader dropped) when `e` says the reader went away.
  bool reader_gone(const Error& e);
  // The card left unfinished in the reader is not the one in it now.
  void settle_unfinished_card();

  const SlotContext& context_;
  LinePrinter& printer_;
  std::string line_;
  std::string pattern_;
  std::unique_ptr<card::Reader> reader_;
  std::string last_ejected_;
  struct CardInHand {
    std::string application, chip;
  };
  std::optional<CardInHand> unfinished_;  // written, left in the reader unfinished
  std::optional<Issuance> issuance_;
  std::optional<QualityCheck> qc_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> paused_ = false;
  SlotStatus status_;
  Throughput throughput_;
  std::thread thread_;
};

}  // namespace cardd::server
