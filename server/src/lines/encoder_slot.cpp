#include "encoder_slot.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cardd/common/actor.h"
#include "cardd/personalization/encoding_session.h"
#include "cardd/printer/error.h"

namespace cardd::server {
namespace {

using db::AppState;

bool one_of(AppState s, std::initializer_list<AppState> states) {
  for (AppState t : states)
    if (s == t) return true;
  return false;
}

}  // namespace

EncoderSlot::EncoderSlot(const SlotContext& context, LinePrinter& printer, std::string line,
                         std::string pattern)
    : context_(context), printer_(printer), line_(std::move(line)), pattern_(std::move(pattern)) {
  status_.line = line_;
  status_.slot = pattern_;
  status_.activity = "starting";
}

EncoderSlot::~EncoderSlot() { stop(); }

void EncoderSlot::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void EncoderSlot::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EncoderSlot::pause(bool paused) {
  paused_ = paused;
  std::lock_guard lock(mutex_);
  status_.paused = paused;
  wake_.notify_all();
}

SlotStatus EncoderSlot::snapshot() const {
  std::lock_guard lock(mutex_);
  SlotStatus out = status_;
  out.cards_per_hour = throughput_.per_hour(Throughput::Clock::now());
  return out;
}

bool EncoderSlot::wait(std::chrono::milliseconds pause) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, pause, [this] { return stopping_; });
  return !stopping_;
}

void EncoderSlot::activity(std::string what, std::string application) {
  std::lock_guard lock(mutex_);
  status_.activity = std::move(what);
  status_.application = std::move(application);
}

bool EncoderSlot::reader_gone(const Error& e) {
  if (e.code != card::ReaderError::no_reader && e.code != card::ReaderError::reader_lost &&
      e.code != card::ReaderError::no_service)
    return false;
  if (reader_)
    spdlog::warn("{} slot '{}': reader {} gone: {}", line_, pattern_, reader_->name(),
                 e.describe());
  reader_.reset();
  issuance_.reset();
  qc_.reset();
  std::lock_guard lock(mutex_);
  status_.reader.clear();
  status_.activity = "reader missing";
  return true;
}

void EncoderSlot::run() {
  bool missing_logged = false;
  while (wait(std::chrono::milliseconds(0))) {
    if (paused_) {
      activity("paused");
      wait(context_.timings.idle_poll);
      continue;
    }
    if (!reader_) {
      auto opened = context_.open_reader(pattern_);
      if (!opened) {
        if (!missing_logged)
          spdlog::warn("{} slot '{}': no reader: {}", line_, pattern_, opened.error().describe());
        missing_logged = true;
        activity("reader missing");
        wait(context_.timings.card_wait * 2);
        continue;
      }
      reader_ = std::move(*opened);
      missing_logged = false;
      const std::string actor = fmt::format("cardd {}", line_);
      issuance_.emplace(context_.store, context_.hsm, context_.profile,
                        actor_at_reader(actor, reader_->name()));
      qc_.emplace(context_.store, context_.hsm, context_.profile, context_.region,
                  actor_at_reader(actor, reader_->name()));
      spdlog::info("{} slot '{}': reader {} ready", line_, pattern_, reader_->name());
      std::lock_guard lock(mutex_);
      status_.reader = reader_->name();
    }
    if (auto present = reader_->wait_for_card(context_.timings.card_wait); !present) {
      if (!reader_gone(present.error())) activity("waiting for a blank card");
      continue;
    }
    work_on_card();
  }
  activity("stopped");
}

void EncoderSlot::work_on_card() {
  (void)reader_->connect();
  auto chip = personalization::read_chip_id(*reader_);
  if (!chip) {
    if (reader_gone(chip.error())) return;
    spdlog::warn("{} slot '{}': the card does not answer ({}): rejected", line_, pattern_,
                 chip.error().describe());
    eject("");
    return;
  }
  if (unfinished_ && unfinished_->chip != *chip) settle_unfinished_card();
  unfinished_.reset();  // or still in the reader: its application goes on below
  if (*chip == last_ejected_) {
    // Ejected and still here: a reader without a card feeder.
    activity("waiting for the finished card to be taken");
    (void)reader_->wait_for_removal(context_.timings.card_wait);
    return;
  }
  auto record = context_.store.card(*chip);
  if (!record) {
    spdlog::error("{} slot '{}': {}", line_, pattern_, record.error().describe());
    wait(context_.timings.idle_poll);
    return;
  }
  if (!*record) {
    if (paused_) return;  // paused while this slot waited for its card
    auto next = context_.queue.take();
    if (!next) {
      activity("nothing to make");
      wait(context_.timings.idle_poll);
      return;
    }
    process(*next, *chip);
    return;
  }
  const db::CardRecord& card = **record;
  if (card.state == db::CardState::spoiled) {
    eject(*chip);
    return;
  }
  // A card of an earlier run: its application goes on from where it stopped.
  if (!context_.queue.take(card.application_id)) {
    wait(context_.timings.idle_poll);
    return;
  }
  process(card.application_id, *chip);
}

void EncoderSlot::process(const std::string& id, const std::string& chip) {
  const bool later = !carry(id, chip);
  // Written but not through QC (the reader went, or a step failed): should
  // another card be in the reader next time, this one left it unfinished.
  if (auto s = context_.store.status(id);
      s && one_of(s->state, {AppState::encoded, AppState::printing, AppState::printed}))
    unfinished_ = CardInHand{id, chip};
  // Claimed by now (a blank card is claimed as encoding starts).
  if (auto card = context_.store.card(chip); card && *card) {
    std::lock_guard lock(mutex_);
    status_.lot = (*card)->lot;
  }
  context_.queue.release(id, later);
  activity(paused_ ? "paused" : "waiting for a blank card");
  if (context_.changed) context_.changed();
}

bool EncoderSlot::carry(const std::string& id, const std::string& chip) {
  auto state = context_.store.status(id);
  if (!state) {
    spdlog::error("{} slot '{}': {}", line_, pattern_, state.error().describe());
    return false;
  }
  if (one_of(state->state,
             {AppState::validated, AppState::queued, AppState::prepared, AppState::encoding})) {
    activity("encoding", id);
    auto encoded = issuance_->encode(id, *reader_);
    if (!encoded) {
      spdlog::warn("{} slot '{}': {}: {}", line_, pattern_, id, encoded.error().describe());
      auto record = context_.store.card(chip);
      const bool spent =
          encoded.error().code == personalization::EncodeError::chip_refused || (record && *record);
      if (record && *record) count_spoiled();
      if (reader_gone(encoded.error())) return true;
      if (!spent) return false;  // the blank card stays; this application waits a while
      eject(chip);
      return true;
    }
    spdlog::info("{} slot '{}': {}: ENCODED on chip {}", line_, pattern_, id, encoded->chip_id);
  }
  state = context_.store.status(id);
  while (state && one_of(state->state, {AppState::encoded, AppState::printing})) {
    activity("printing", id);
    auto printed = printer_.print(id);
    if (printed) break;
    spdlog::warn("{} slot '{}': {}: printer: {}", line_, pattern_, id, printed.error().describe());
    if (printed.error().code == printer::PrinterError::job_failed) {
      if (auto s = issuance_->spoil_unprinted(id, *reader_, printed.error()); !s) {
        spdlog::error("{} slot '{}': {}: {}", line_, pattern_, id, s.error().describe());
        return false;
      }
      spdlog::warn("{} slot '{}': {}: the printer gave up on its card: spoiled, made again", line_,
                   pattern_, id);
      count_spoiled();
      eject(chip);
      return true;
    }
    activity("waiting for the printer", id);
    // Parked when stopping: the card stays in the reader, the application
    // in PRINTING; the next run goes on from there.
    if (!wait(context_.timings.printer_retry)) return true;
  }
  state = context_.store.status(id);
  if (state && state->state == AppState::printed) {
    activity("QC", id);
    auto checked = qc_->check(id, *reader_);
    if (!checked) {
      spdlog::warn("{} slot '{}': {}: QC: {}", line_, pattern_, id, checked.error().describe());
      (void)reader_gone(checked.error());
      return true;
    }
    if (checked->passed) {
      spdlog::info("{} slot '{}': {}: QC_PASSED", line_, pattern_, id);
      std::lock_guard lock(mutex_);
      ++status_.made;
      throughput_.record(Throughput::Clock::now());
    } else {
      spdlog::warn("{} slot '{}': {}: QC mismatch, card spoiled", line_, pattern_, id);
      count_spoiled();
    }
  }
  if (reader_) eject(chip);
  return true;
}

// The card this slot left unfinished is no longer in its reader: a card
// machine powered up afresh (after its reader or pcscd went) clears its
// transport, or someone took the card. Written and never to be made
// unusable, it is spoiled with its numbers retired, and its application is
// made again.
void EncoderSlot::settle_unfinished_card() {
  const CardInHand left = *std::exchange(unfinished_, std::nullopt);
  auto card = context_.store.card(left.chip);
  auto state = context_.store.status(left.application);
  if (!card || !*card || (*card)->state != db::CardState::encoded || !state ||
      !one_of(state->state, {AppState::encoded, AppState::printing, AppState::printed}))
    return;
  const std::string actor = actor_at_reader(fmt::format("cardd {}", line_), reader_->name());
  if (auto s = context_.store.spoil_card_retiring_numbers(left.application, left.chip,
                                                          "card_removed", actor);
      !s) {
    spdlog::error("{} slot '{}': {}: {}", line_, pattern_, left.application, s.error().describe());
    return;
  }
  spdlog::warn(
      "{} slot '{}': {}: card {} left the reader unfinished: spoiled, its numbers retired; the "
      "application is made again",
      line_, pattern_, left.application, left.chip);
  count_spoiled();
  if (context_.changed) context_.changed();
}

void EncoderSlot::count_spoiled() {
  std::lock_guard lock(mutex_);
  ++status_.spoiled;
}

void EncoderSlot::eject(const std::string& chip) {
  last_ejected_ = chip;
  if (auto s = reader_->eject(); !s) (void)reader_gone(s.error());
}

}  // namespace cardd::server
