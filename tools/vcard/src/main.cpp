// vcard: the virtual social security card as a process, connected to a vpcd
// reader slot so that pcscd (and any PC/SC application) sees a card.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "cardd/vcard/state_file.h"
#include "hopper.h"
#include "new_card.h"
#include "slot.h"

namespace {

using namespace cardd::vcard;

// One card that stays in the slot until it is pulled: its state lives in
// `state_path` from one run to the next.
int run_single(const std::string& state_path, const NewCard& n, const SlotOptions& slot) {
  std::string error;
  std::optional<CardState> state =
      std::filesystem::exists(state_path) ? load_state(state_path, error) : make_card(n, error);
  if (state && n.auth_limit > 0) state->auth_limit = static_cast<std::uint8_t>(n.auth_limit);
  if (state && !save_state(state_path, *state, error)) state.reset();
  if (!state) {
    std::cerr << "vcard: " << error << "\n";
    return 2;
  }
  auto link = connect_to_vpcd(slot);
  if (!link) return 1;
  std::cout << "vcard: inserted in " << slot.host << ":" << slot.port << std::endl;
  if (serve(link, *state, state_path, slot) == Departure::unreachable) return 1;
  std::cout << "vcard: removed" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vcard - virtual third-generation social security card for vpcd"};
  std::string state_path;
  int corrupt_read = -1;
  NewCard n;
  SlotOptions slot;
  HopperOptions hopper;
  Faults& faults = slot.faults;
  app.add_option("--port", slot.port, "vpcd port of the reader slot");
  app.add_option("--host", slot.host, "vpcd address (loopback)");
  app.add_option("--state", state_path, "card state file (created when missing)");
  app.add_option("--serial,--first-serial", n.serial,
                 "new card: IC serial number (8 hex digits); with --hopper the first card's");
  app.add_option("--cipher", n.cipher, "new card: aes or sm4 (SCP03), des3 (SCP02)");
  app.add_option("--kmc", n.kmc, "new card: master key (hex) the static keys are diversified from");
  app.add_option("--kdf", n.kdf, "new SCP03 card: sp800-108-cmac (CHIP ID) or kdf3 (GPPro, KDD)");
  app.add_option("--enc", n.enc, "new card without --kmc: static ENC key (hex)");
  app.add_option("--mac", n.mac, "new card without --kmc: static MAC key (hex)");
  app.add_option("--dek", n.dek, "new card without --kmc: static DEK key (hex)");
  app.add_option("--scp02-i", n.scp02_i, "new des3 card: SCP02 option i, 15 or 55");
  app.add_option("--auth-limit", n.auth_limit,
                 "failed EXTERNAL AUTHENTICATEs before the keys block (new card: 10)")
      ->check(CLI::Range(1, 255));
  auto* hopper_option =
      app.add_option("--hopper", hopper.count,
                     "a card machine's hopper of N blank cards with consecutive serials from "
                     "--serial: an ejected card leaves and the next one comes in")
          ->check(CLI::Range(1, 1000000));
  app.add_option("--feed-delay-ms", hopper.feed_delay_ms,
                 "hopper: time between a card leaving and the next coming in")
      ->check(CLI::Range(0, 600000))
      ->needs(hopper_option);
  app.add_option("--out-dir", hopper.out_dir,
                 "hopper: keep each card's state there as <SERIAL>.json (kept after it left)")
      ->needs(hopper_option);
  app.add_option("--connect-timeout-ms", slot.connect_timeout_ms,
                 "how long to wait for vpcd to listen");
  app.add_option("--remove-after", faults.remove_after,
                 "fault: the card is pulled after N command APDUs");
  app.add_option("--mute-after", faults.mute_after,
                 "fault: after N command APDUs the card never answers again");
  app.add_option("--tear-store-data", faults.tear_store_data,
                 "fault: power is lost during the Nth STORE DATA (half written, no answer)");
  app.add_option("--slow-ms", slot.slow_ms, "fault: every answer takes this long");
  app.add_flag("--corrupt-rmac", faults.corrupt_rmac,
               "fault: protected responses carry a wrong R-MAC");
  app.add_option("--corrupt-read", corrupt_read,
                 "fault: READ RECORD answers for P1 = N have their last byte flipped")
      ->check(CLI::Range(0, 255));
  app.add_flag("--wrong-internal-auth", faults.wrong_internal_auth,
               "fault: INTERNAL AUTHENTICATE answers a wrong cryptogram");
  app.add_flag("--ignore-set-status", faults.ignore_set_status,
               "fault: SET STATUS answers 9000 but the life cycle stays (no lock, no terminate)");
  std::string refuse;
  app.add_option("--refuse", refuse,
                 "fault: INS:SW in hex (e.g. E2:6A80): commands with INS are refused with SW")
      ->check([](const std::string& v) -> std::string {
        return v.size() == 7 && v[2] == ':' &&
                       v.find_first_not_of("0123456789abcdefABCDEF:") == std::string::npos
                   ? ""
                   : "expected INS:SW in hex, e.g. E2:6A80";
      });
  app.add_flag("--short-cplc", faults.short_cplc,
               "fault: GET DATA CPLC answers 5 bytes (a card whose answers make no sense)");
  app.add_flag("--fresh-on-reset", slot.fresh_on_reset,
               "benchmarks: every power-up or reset brings back the card as it was at start "
               "(a stack of identical blank cards); the state file is not written");
  app.add_flag("--trace", slot.trace, "print every message from vpcd on stderr");
  CLI11_PARSE(app, argc, argv);
  if (corrupt_read >= 0) faults.corrupt_read = static_cast<std::uint8_t>(corrupt_read);
  if (!refuse.empty()) {
    faults.refused_ins = static_cast<std::uint8_t>(std::stoul(refuse.substr(0, 2), nullptr, 16));
    faults.refused_sw = static_cast<std::uint16_t>(std::stoul(refuse.substr(3), nullptr, 16));
  }

  if (hopper.count > 0) {
    if (!state_path.empty()) {
      std::cerr << "vcard: --state is for one card; a hopper keeps its cards in --out-dir\n";
      return 2;
    }
    hopper.first = n;
    slot.feeder = true;
    return run_hopper(hopper, slot);
  }
  if (state_path.empty()) {
    std::cerr << "vcard: --state is required (or --hopper N)\n";
    return 2;
  }
  return run_single(state_path, n, slot);
}
