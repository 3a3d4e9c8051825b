#include "slot.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "cardd/card/feeder.h"
#include "cardd/common/hex.h"
#include "cardd/vcard/state_file.h"
#include "cardd/vcard/virtual_card.h"

namespace cardd::vcard {
namespace {

constexpr std::uint8_t kPowerOff = 0, kPowerOn = 1, kReset = 2, kGetAtr = 4;

}  // namespace

std::optional<VpcdLink> connect_to_vpcd(const SlotOptions& o) {
  std::string error;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(o.connect_timeout_ms);
  while (true) {
    if (auto link = VpcdLink::connect(o.host, o.port, error)) return link;
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "vcard: cannot reach vpcd at " << o.host << ":" << o.port << ": " << error
                << "\n";
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Departure serve(std::optional<VpcdLink>& link, CardState& state, const std::string& state_path,
                const SlotOptions& o) {
  const CardState initial = state;
  auto card = std::make_unique<VirtualCard>(state);
  auto faulty = std::make_unique<FaultyCard>(*card, o.faults);
  std::uint64_t saved = card->generation();
  std::string error;
  const auto leave = [&](Departure d) {
    state = card->state();
    return d;
  };
  while (auto message = link->receive()) {
    if (o.trace) std::cerr << "vcard: <- " << to_hex(*message, HexCase::upper) << std::endl;
    if (message->size() == 1) {
      const std::uint8_t control = message->front();
      if (control == kGetAtr && !link->send(card->atr())) break;
      if ((control == kPowerOn || control == kReset) && o.fresh_on_reset) {
        card = std::make_unique<VirtualCard>(initial);
        faulty = std::make_unique<FaultyCard>(*card, o.faults);
        saved = card->generation();
      }
      if (control == kPowerOff || control == kPowerOn || control == kReset) card->reset();
      continue;
    }
    if (o.feeder && card::is_eject_command(*message)) {
      if (!link->send({0x90, 0x00})) break;
      return leave(Departure::ejected);
    }
    auto [outcome, response] = faulty->process(*message);
    // Persist every change, as a chip's EEPROM would, before answering.
    if (card->generation() != saved && !o.fresh_on_reset && !state_path.empty()) {
      if (!save_state(state_path, card->state(), error)) spdlog::error("vcard: {}", error);
      saved = card->generation();
    }
    if (outcome == FaultyCard::Outcome::removed || outcome == FaultyCard::Outcome::torn)
      return leave(Departure::pulled);
    if (outcome == FaultyCard::Outcome::mute) {
      // Silence on the socket would block pcscd for good (vpcd reads without
      // a timeout). A reset connection fails this exchange at once, like a
      // reader's timeout on a mute card; reconnecting at once keeps the card
      // in the slot.
      link->abort();
      if (!(link = connect_to_vpcd(o))) return leave(Departure::unreachable);
      continue;
    }
    if (o.slow_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.slow_ms));
    if (!link->send(response)) break;
  }
  return leave(Departure::closed);
}

}  // namespace cardd::vcard
