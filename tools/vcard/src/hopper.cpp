#include "hopper.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cardd/common/hex.h"
#include "cardd/vcard/state_file.h"

namespace cardd::vcard {
namespace {

// The k-th card of the stack, or nullopt and `error`.
std::optional<CardState> blank_card(const HopperOptions& h, int k, std::string& error) {
  auto serial = serial_after(h.first.serial, static_cast<std::uint32_t>(k));
  if (!serial) {
    error = "--serial must be 8 hex digits and the stack's last serial must fit in them";
    return std::nullopt;
  }
  NewCard n = h.first;
  n.serial = *serial;
  return make_card(n, error);
}

}  // namespace

int run_hopper(const HopperOptions& h, const SlotOptions& slot) {
  std::string error;
  // Every card of the stack differs from the first by its serial only, so
  // checking the first and the last card checks them all.
  if (h.count < 1 || !blank_card(h, 0, error) || !blank_card(h, h.count - 1, error)) {
    std::cerr << "vcard: " << (error.empty() ? "--hopper needs at least one card" : error) << "\n";
    return 2;
  }
  if (!h.out_dir.empty()) std::filesystem::create_directories(h.out_dir);
  for (int k = 0; k < h.count; ++k) {
    CardState card = *blank_card(h, k, error);
    const std::string serial = to_hex(card.serial, HexCase::upper);
    const std::string path =
        h.out_dir.empty() ? "" : (std::filesystem::path(h.out_dir) / (serial + ".json")).string();
    if (!path.empty() && !save_state(path, card, error)) {
      std::cerr << "vcard: " << error << "\n";
      return 2;
    }
    auto link = connect_to_vpcd(slot);
    if (!link) return 1;
    std::cout << "vcard: inserted in " << slot.host << ":" << slot.port << " (card " << k + 1
              << " of " << h.count << ", serial " << serial << ")" << std::endl;
    const Departure left = serve(link, card, path, slot);
    if (left == Departure::unreachable) return 1;
    if (left != Departure::ejected) {
      std::cout << "vcard: removed" << std::endl;
      return 0;
    }
    link.reset();  // the card is out of the slot: vpcd sees it gone on its next poll
    std::cout << "vcard: ejected " << serial << std::endl;
    std::this_thread::sleep_for(std::chrono::milliseconds(h.feed_delay_ms));
  }
  std::cerr << "vcard: the hopper is empty; the slot stays without a card" << std::endl;
  while (true) ::pause();  // until a signal ends the process
}

}  // namespace cardd::vcard
