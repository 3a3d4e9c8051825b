#include "cardd/server/production_lines.h"

#include <fmt/format.h>

#include "cardd/card/pcsc_reader.h"
#include "encoder_slot.h"
#include "line_printer.h"
#include "work_queue.h"

namespace cardd::server {

ProductionLines::ProductionLines() = default;

ProductionLines::~ProductionLines() { stop(); }

Result<std::unique_ptr<ProductionLines>> ProductionLines::create(
    db::Store& store, hsm::Hsm& hsm, const personalization::CardProfile& profile,
    const region::Region& region, const std::vector<LineConfig>& lines, LineTimings timings,
    std::function<void()> changed, ReaderOpener open_reader) {
  auto out = std::make_unique<ProductionLines>();
  out->applications_ = &store;
  out->queue_ = std::make_unique<WorkQueue>(store, timings.retry_after);
  if (!open_reader)
    open_reader = [](const std::string& pattern) { return card::open_pcsc_reader(pattern); };
  out->context_ =
      std::make_unique<SlotContext>(SlotContext{store, hsm, profile, region, *out->queue_, timings,
                                                std::move(changed), std::move(open_reader)});
  for (const LineConfig& line : lines) {
    auto printer =
        LinePrinter::open(line.printer, store, region, fmt::format("cardd {}", line.name));
    if (!printer) {
      Error e = printer.error();
      e.message = fmt::format("line {}: printer {}: {}", line.name, line.printer, e.message);
      return e;
    }
    for (const std::string& slot : line.slots)
      out->slots_.push_back(
          std::make_unique<EncoderSlot>(*out->context_, **printer, line.name, slot));
    out->printers_.push_back(std::move(*printer));
    out->printer_lines_.push_back(line.name);
  }
  return out;
}

std::vector<std::pair<std::string, Status>> ProductionLines::printers_ready() {
  std::vector<std::pair<std::string, Status>> out;
  for (std::size_t i = 0; i < printers_.size(); ++i)
    out.emplace_back(printer_lines_[i], printers_[i]->ready());
  return out;
}

void ProductionLines::start() {
  for (auto& slot : slots_) slot->start();
}

void ProductionLines::stop() {
  // Every slot is told first, so that they finish their cards together.
  std::vector<std::thread> stopping;
  for (auto& slot : slots_) stopping.emplace_back([&slot] { slot->stop(); });
  for (auto& t : stopping) t.join();
}

Status ProductionLines::set_paused(std::string_view line, std::string_view slot, bool paused) {
  bool found = false;
  for (auto& s : slots_) {
    const SlotStatus now = s->snapshot();
    if (now.line != line || (!slot.empty() && now.slot != slot)) continue;
    s->pause(paused);
    found = true;
  }
  if (!found)
    return make_error(ConfigError::invalid,
                      fmt::format("no line '{}'{}", line,
                                  slot.empty() ? "" : fmt::format(" with slot '{}'", slot)));
  return {};
}

Status ProductionLines::pause(std::string_view line, std::string_view slot) {
  return set_paused(line, slot, true);
}

Status ProductionLines::resume(std::string_view line, std::string_view slot) {
  return set_paused(line, slot, false);
}

bool ProductionLines::idle() const {
  if (queue_ && queue_->in_hand() > 0) return false;
  if (applications_ == nullptr) return true;
  auto waiting = applications_->to_produce(1);
  return waiting && waiting->empty();
}

std::vector<SlotStatus> ProductionLines::status() const {
  std::vector<SlotStatus> out;
  for (const auto& s : slots_) out.push_back(s->snapshot());
  return out;
}

}  // namespace cardd::server
