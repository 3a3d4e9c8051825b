// vcard: the virtual social security card as a process, connected to a vpcd
// reader slot so that pcscd (and any PC/SC application) sees a card.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "cardd/common/hex.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/faulty_card.h"
#include "cardd/vcard/state_file.h"
#include "cardd/vcard/virtual_card.h"
#include "vpcd_link.h"

namespace {

using namespace cardd::vcard;

struct NewCard {
  std::string serial = "00000001";
  std::string cipher = "aes";
  std::string kmc;
  std::string enc = "404142434445464748494A4B4C4D4E4F", mac = enc, dek = enc;
  std::string scp02_i = "55";
};

std::optional<CardState> make_card(const NewCard& n, std::string& error) {
  const auto serial = cardd::from_hex(n.serial);
  const auto cipher = cipher_from_string(n.cipher);
  const auto i = cardd::from_hex(n.scp02_i);
  if (!serial || serial->size() != 4) error = "--serial must be 8 hex digits";
  if (!cipher) error = "--cipher must be aes, sm4 or des3";
  if (!i || i->size() != 1 || ((*i)[0] != 0x15 && (*i)[0] != 0x55)) error = "--scp02-i is 15 or 55";
  if (!error.empty()) return std::nullopt;
  CardState state;
  state.serial = *serial;
  if (!n.kmc.empty()) {
    const auto kmc = cardd::from_hex(n.kmc);
    auto keys = kmc ? diversified_keys(*cipher, *kmc, *serial) : std::nullopt;
    if (!keys) {
      error = "--kmc must be 32 hex digits";
      return std::nullopt;
    }
    state.keys = std::move(*keys);
  } else {
    const auto e = cardd::from_hex(n.enc), m = cardd::from_hex(n.mac), d = cardd::from_hex(n.dek);
    const auto fits = [&](const std::optional<Bytes>& k) {
      return k &&
             (k->size() == 16 || (*cipher == Cipher::aes && (k->size() == 24 || k->size() == 32)));
    };
    if (!fits(e) || !fits(m) || !fits(d)) {
      error = "--enc/--mac/--dek must be 16-byte keys (aes also 24 or 32) in hex";
      return std::nullopt;
    }
    state.keys = StaticKeys{*cipher, *e, *m, *d,
                            *cipher == Cipher::des3 ? kScp02KeyVersion : kScp03KeyVersion};
  }
  state.keys.scp02_i = (*i)[0];
  return state;
}

std::optional<VpcdLink> connect(const std::string& host, std::uint16_t port, int timeout_ms) {
  std::string error;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (auto link = VpcdLink::connect(host, port, error)) return link;
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "vcard: cannot reach vpcd at " << host << ":" << port << ": " << error << "\n";
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vcard - virtual third-generation social security card for vpcd"};
  std::string host = "127.0.0.1", state_path;
  std::uint16_t port = 35963;
  int connect_timeout_ms = 10000, slow_ms = 0, corrupt_read = -1, auth_limit = 0;
  bool trace = false, fresh_on_reset = false;
  NewCard n;
  Faults faults;
  app.add_option("--port", port, "vpcd port of the reader slot");
  app.add_option("--host", host, "vpcd address (loopback)");
  app.add_option("--state", state_path, "card state file (created when missing)")->required();
  app.add_option("--serial", n.serial, "new card: IC serial number (8 hex digits)");
  app.add_option("--cipher", n.cipher, "new card: aes or sm4 (SCP03), des3 (SCP02)");
  app.add_option("--kmc", n.kmc, "new card: master key (hex) the static keys are diversified from");
  app.add_option("--enc", n.enc, "new card without --kmc: static ENC key (hex)");
  app.add_option("--mac", n.mac, "new card without --kmc: static MAC key (hex)");
  app.add_option("--dek", n.dek, "new card without --kmc: static DEK key (hex)");
  app.add_option("--scp02-i", n.scp02_i, "new des3 card: SCP02 option i, 15 or 55");
  app.add_option("--auth-limit", auth_limit,
                 "failed EXTERNAL AUTHENTICATEs before the keys block (new card: 10)")
      ->check(CLI::Range(1, 255));
  app.add_option("--connect-timeout-ms", connect_timeout_ms, "how long to wait for vpcd to listen");
  app.add_option("--remove-after", faults.remove_after,
                 "fault: the card is pulled after N command APDUs");
  app.add_option("--mute-after", faults.mute_after,
                 "fault: after N command APDUs the card never answers again");
  app.add_option("--tear-store-data", faults.tear_store_data,
                 "fault: power is lost during the Nth STORE DATA (half written, no answer)");
  app.add_option("--slow-ms", slow_ms, "fault: every answer takes this long");
  app.add_flag("--corrupt-rmac", faults.corrupt_rmac,
               "fault: protected responses carry a wrong R-MAC");
  app.add_option("--corrupt-read", corrupt_read,
                 "fault: READ RECORD answers for P1 = N have their last byte flipped")
      ->check(CLI::Range(0, 255));
  app.add_flag("--wrong-internal-auth", faults.wrong_internal_auth,
               "fault: INTERNAL AUTHENTICATE answers a wrong cryptogram");
  app.add_flag("--fresh-on-reset", fresh_on_reset,
               "benchmarks: every power-up or reset brings back the card as it was at start "
               "(a stack of identical blank cards); the state file is not written");
  app.add_flag("--trace", trace, "print every message from vpcd on stderr");
  CLI11_PARSE(app, argc, argv);
  if (corrupt_read >= 0) faults.corrupt_read = static_cast<std::uint8_t>(corrupt_read);

  std::string error;
  std::optional<CardState> state =
      std::filesystem::exists(state_path) ? load_state(state_path, error) : make_card(n, error);
  if (state && auth_limit > 0) state->auth_limit = static_cast<std::uint8_t>(auth_limit);
  if (state && !save_state(state_path, *state, error)) state.reset();
  if (!state) {
    std::cerr << "vcard: " << error << "\n";
    return 2;
  }
  const CardState initial = *state;
  auto card = std::make_unique<VirtualCard>(std::move(*state));
  auto faulty = std::make_unique<FaultyCard>(*card, faults);
  std::uint64_t saved = card->generation();

  auto link = connect(host, port, connect_timeout_ms);
  if (!link) return 1;
  std::cout << "vcard: inserted in " << host << ":" << port << std::endl;
  while (auto message = link->receive()) {
    if (trace) {
      std::cerr << "vcard: <- " << cardd::to_hex(*message, cardd::HexCase::upper) << std::endl;
    }
    if (message->size() == 1) {
      const std::uint8_t control = message->front();
      if (control == 4 && !link->send(card->atr())) break;
      if ((control == 1 || control == 2) && fresh_on_reset) {
        card = std::make_unique<VirtualCard>(initial);
        faulty = std::make_unique<FaultyCard>(*card, faults);
        saved = card->generation();
      }
      if (control == 0 || control == 1 || control == 2) card->reset();
      continue;
    }
    auto [outcome, response] = faulty->process(*message);
    // Persist every change, as a chip's EEPROM would, before answering.
    if (card->generation() != saved && !fresh_on_reset) {
      if (!save_state(state_path, card->state(), error)) spdlog::error("vcard: {}", error);
      saved = card->generation();
    }
    if (outcome == FaultyCard::Outcome::removed || outcome == FaultyCard::Outcome::torn) break;
    if (outcome == FaultyCard::Outcome::mute) {
      // Silence on the socket would block pcscd for good (vpcd reads without
      // a timeout). A reset connection fails this exchange at once, like a
      // reader's timeout on a mute card; reconnecting at once keeps the card
      // in the slot.
      link->abort();
      if (!(link = connect(host, port, connect_timeout_ms))) return 1;
      continue;
    }
    if (slow_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms));
    if (!link->send(response)) break;
  }
  std::cout << "vcard: removed" << std::endl;
  return 0;
}
