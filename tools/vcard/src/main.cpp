// vcard: the virtual social security card as a process, connected to a vpcd
// reader slot so that pcscd (and any PC/SC application) sees a card.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cardd/vcard/virtual_card.h"
#include "state_file.h"
#include "vpcd_link.h"

namespace {

using cardd::vcard::Bytes;

std::optional<Bytes> parse_hex(const std::string& s) {
  Bytes out;
  if (s.size() % 2 != 0) return std::nullopt;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    try {
      out.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vcard - virtual third-generation social security card for vpcd"};
  std::string host = "127.0.0.1", state_path, serial = "00000001";
  std::string enc = "404142434445464748494A4B4C4D4E4F", mac = enc, dek = enc;
  std::uint16_t port = 35963;
  int connect_timeout_ms = 10000;
  // Fault injection (0 = off).
  int remove_after = 0, tear_store = 0, slow_ms = 0;
  bool corrupt_rmac = false, trace = false;
  app.add_option("--port", port, "vpcd port of the reader slot");
  app.add_option("--host", host, "vpcd address (loopback)");
  app.add_option("--state", state_path, "card state file (created when missing)")->required();
  app.add_option("--serial", serial, "chip serial (8 hex digits), for a new card");
  app.add_option("--enc", enc, "static ENC key (hex), for a new card");
  app.add_option("--mac", mac, "static MAC key (hex), for a new card");
  app.add_option("--dek", dek, "static DEK key (hex), for a new card");
  app.add_option("--connect-timeout-ms", connect_timeout_ms, "how long to wait for vpcd to listen");
  app.add_option("--remove-after", remove_after, "fault: the card is pulled after N command APDUs");
  app.add_option("--tear-store-data", tear_store,
                 "fault: power is lost during the Nth STORE DATA (half written, no answer)");
  app.add_option("--slow-ms", slow_ms, "fault: every answer takes this long");
  app.add_flag("--corrupt-rmac", corrupt_rmac, "fault: protected responses carry a wrong R-MAC");
  app.add_flag("--trace", trace, "print every message from vpcd on stderr");
  CLI11_PARSE(app, argc, argv);

  std::string error;
  std::optional<cardd::vcard::CardState> state;
  if (std::filesystem::exists(state_path)) {
    state = cardd::vcard::load_state(state_path, error);
  } else {
    const auto s = parse_hex(serial), e = parse_hex(enc), m = parse_hex(mac), d = parse_hex(dek);
    if (!s || s->size() != 4 || !e || !m || !d) {
      error = "serial must be 8 hex digits and keys hex";
    } else {
      state.emplace();
      state->serial = *s;
      state->keys = cardd::vcard::StaticKeys{cardd::vcard::Cipher::aes, *e, *m, *d, 0x30};
      if (!cardd::vcard::save_state(state_path, *state, error)) state.reset();
    }
  }
  if (!state) {
    std::cerr << "vcard: " << error << "\n";
    return 2;
  }
  cardd::vcard::VirtualCard card(std::move(*state));

  std::optional<cardd::vcard::VpcdLink> link;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(connect_timeout_ms);
  while (!(link = cardd::vcard::VpcdLink::connect(host, port, error))) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "vcard: cannot reach vpcd at " << host << ":" << port << ": " << error << "\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::cout << "vcard: inserted in " << host << ":" << port << std::endl;

  int apdus = 0, stores = 0;
  while (auto message = link->receive()) {
    if (trace) {
      std::string line;
      for (const auto b : *message) line += fmt::format("{:02X}", b);
      std::cerr << "vcard: <- " << line << std::endl;
    }
    if (message->size() == 1) {
      const std::uint8_t control = message->front();
      if (control == 4 && !link->send(card.atr())) break;
      if (control == 0 || control == 1 || control == 2) card.reset();
      continue;
    }
    if (remove_after > 0 && apdus == remove_after) break;
    ++apdus;
    Bytes response = card.process(*message);
    const std::uint8_t ins = message->size() > 1 ? (*message)[1] : 0;
    const bool torn = ins == 0xE2 && ++stores == tear_store;
    if (torn) card.tear_last_store();
    // Persist every change, as a chip's EEPROM would, before answering.
    if ((ins == 0x50 || ins == 0xE2 || ins == 0xF0) &&
        !cardd::vcard::save_state(state_path, card.state(), error))
      spdlog::error("vcard: {}", error);
    if (torn) break;
    const bool secured = ((*message)[0] & 0x04) != 0;
    if (corrupt_rmac && secured && response.size() >= 2 + 8) response[response.size() - 3] ^= 0x01;
    if (slow_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms));
    if (!link->send(response)) break;
  }
  std::cout << "vcard: removed" << std::endl;
  return 0;
}
