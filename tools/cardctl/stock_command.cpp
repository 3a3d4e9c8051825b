// cardctl stock [--db PATH]: blank cards per lot (received, used, spoiled,
// in progress, left). cardctl stock add-lot --lot ID --first-serial HEX
// --count N: a lot as delivered by the card vendor.
#include <fmt/format.h>

#include <iostream>

#include "cardd/common/actor.h"
#include "cardd/server/card_lot.h"
#include "cli_support.h"
#include "commands.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct LotArgs {
  HsmOptions hsm;  // the audit key MACs the lot's audit entry
  std::string db;
  std::string lot;
  std::string first_serial;
  std::int64_t count = 0;
};

int run_add_lot(const LotArgs& a) {
  auto lot = server::parse_card_lot(a.lot, a.first_serial, a.count);
  if (!lot) {
    std::cerr << "cardctl: " << lot.error().message << "\n";
    return 2;
  }
  SealedStore opened;
  if (const int rc = open_audited_store(a.hsm, a.db, true, opened); rc != 0) return rc;
  if (auto s = opened.store->add_lot(*lot, local_actor("cardctl stock")); !s) {
    std::cerr << "cardctl: " << s.error().describe() << "\n";
    return 1;
  }
  std::cout << fmt::format("lot {}: {} blank cards from serial {}\n", lot->lot, lot->count,
                           server::first_serial_text(lot->chip_prefix, lot->first_serial));
  return 0;
}

int run_stock(const std::string& path) {
  int rc = 0;
  auto store = open_store(path, OpenStore{}, rc);
  if (!store) return rc;
  auto stock = store->stock();
  if (!stock) {
    std::cerr << "cardctl: " << stock.error().describe() << "\n";
    return 1;
  }
  std::cout << fmt::format("{:<16} {:<18} {:>9} {:>7} {:>8} {:>12} {:>7}\n", "lot", "first serial",
                           "received", "used", "spoiled", "in progress", "left");
  for (const auto& l : *stock)
    std::cout << fmt::format("{:<16} {:<18} {:>9} {:>7} {:>8} {:>12} {:>7}\n", l.lot,
                             server::first_serial_text(l.chip_prefix, l.first_serial), l.received,
                             l.used, l.spoiled, l.in_progress, l.left);
  return 0;
}

}  // namespace

void add_stock_command(CLI::App& app, int& exit_code) {
  auto db = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("stock", "Blank-card stock per lot");
  cmd->add_option("--db", *db, "SQLite database file")->required();
  auto lot = std::make_shared<LotArgs>();
  cmd->fallthrough();  // "stock add-lot --db PATH": --db belongs to stock
  auto* add = cmd->add_subcommand("add-lot", "Record a lot of blank cards from the vendor");
  add->add_option("--lot", lot->lot, "lot id")->required();
  add->add_option("--first-serial", lot->first_serial, "first chip serial (hex)")->required();
  add->add_option("--count", lot->count, "number of cards")->required();
  lot->hsm.add_to(*add);
  add->callback([lot, db, &exit_code] {
    lot->db = *db;
    exit_code = run_add_lot(*lot);
  });
  cmd->callback([cmd, db, &exit_code] {
    if (cmd->get_subcommands().empty()) exit_code = run_stock(*db);
  });
}

}  // namespace cardd::cardctl
