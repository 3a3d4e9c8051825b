// cardctl fulfil …: the mail and branch steps after QC, until the HTTP API
// and the service drive them (server/fulfilment.h).
//   pack                       QC_PASSED mail cards into packs per postal area
//   ship PACK                  a tracking number per card of the pack
//   courier-event NUMBER delivered|returned [--detail TEXT]
//   dispatch                   branch cards and returned mail to their branch
//   branch-receipt APP --clerk NAME
//   collect APP --clerk NAME   the holder's ID number read from stdin (never an argument)
#include <fmt/format.h>

#include <iostream>

#include "cardd/common/actor.h"
#include "cardd/common/civil_time.h"
#include "cardd/server/fulfilment.h"
#include "commands.h"
#include "sealed_store.h"
#include "secret_input.h"

namespace cardd::cardctl {
namespace {

struct FulfilArgs {
  HsmOptions hsm;
  std::string db;
  server::FulfilmentOptions options;
  std::string subject;  // pack, tracking number or application
  std::string event;
  std::string detail;
  std::string clerk;
};

int failed(const Error& e) {
  std::cerr << "cardctl: " << e.describe() << "\n";
  return 1;
}

// Opens the store and runs `step` with a Fulfilment on it.
template <typename F>
int with_fulfilment(const FulfilArgs& a, F&& step) {
  SealedStore opened;
  if (const int rc = open_sealed_store(a.hsm, a.db, false, opened); rc != 0) return rc;
  auto f = server::Fulfilment::create(*opened.store, a.options, local_actor("cardctl fulfil"));
  if (!f) {
    std::cerr << "cardctl: " << f.error().describe() << "\n";
    return 2;
  }
  return step(*f);
}

int run_pack(server::Fulfilment& f) {
  auto packs = f.pack_mail();
  if (!packs) return failed(packs.error());
  for (const auto& p : *packs)
    std::cout << fmt::format("{}  postal area {}  {} {}\n", p.pack_id, p.postal_area,
                             p.application_ids.size(),
                             p.application_ids.size() == 1 ? "card" : "cards");
  std::cout << fmt::format("{} packs\n", packs->size());
  return 0;
}

int run_ship(server::Fulfilment& f, const std::string& pack) {
  auto shipped = f.ship(pack);
  if (!shipped) return failed(shipped.error());
  for (const auto& s : *shipped)
    std::cout << fmt::format("{}  {} {}\n", s.application_id, s.courier, s.tracking_number);
  return 0;
}

int run_courier_event(server::Fulfilment& f, const FulfilArgs& a) {
  server::CourierReport report;
  // A desk entry is one event per card and kind: entered twice, kept once.
  report.event_id = fmt::format("cardctl:{}:{}", a.subject, a.event);
  report.tracking_number = a.subject;
  report.event = server::parse_courier_event(a.event).value_or(server::CourierEvent::in_transit);
  report.occurred_at = format_rfc3339_utc(unix_now());
  report.detail = a.detail;
  auto recorded = f.courier_event(report);
  if (!recorded) return failed(recorded.error());
  std::cout << fmt::format("{} {}{}\n", a.subject, a.event,
                           *recorded == db::EventOutcome::duplicate ? " (already recorded)" : "");
  return 0;
}

int run_dispatch(server::Fulfilment& f) {
  auto dispatched = f.dispatch_to_branches();
  if (!dispatched) return failed(dispatched.error());
  for (const auto& id : *dispatched) std::cout << id << " dispatched\n";
  std::cout << fmt::format("{} cards dispatched to branches\n", dispatched->size());
  return 0;
}

int run_collect(server::Fulfilment& f, const FulfilArgs& a) {
  const auto id_number = read_secret_line("holder's ID number: ");
  if (!id_number || id_number->empty()) {
    std::cerr << "cardctl: no ID number given\n";
    return 2;
  }
  if (auto s = f.collect(a.subject, *id_number, a.clerk); !s) return failed(s.error());
  std::cout << fmt::format("{} collected, handed over by {}\n", a.subject, a.clerk);
  return 0;
}

}  // namespace

void add_fulfil_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<FulfilArgs>();
  auto* cmd = app.add_subcommand("fulfil", "Mail and branch fulfilment after QC");
  cmd->require_subcommand(1);
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  cmd->add_option("--courier", args->options.courier, "courier name")->capture_default_str();
  cmd->add_option("--tracking-first", args->options.tracking_first, "first number of the range")
      ->capture_default_str();
  cmd->add_option("--tracking-last", args->options.tracking_last, "last number of the range")
      ->capture_default_str();
  cmd->add_option("--pack-batch", args->options.pack_batch, "cards per pack at most")
      ->capture_default_str();
  args->hsm.add_to(*cmd);
  cmd->fallthrough();

  const auto run = [args, &exit_code](auto step) {
    return [args, &exit_code, step] {
      exit_code = with_fulfilment(*args, [&](server::Fulfilment& f) { return step(f, *args); });
    };
  };
  cmd->add_subcommand("pack", "Pack QC_PASSED mail cards per postal area")
      ->callback(run([](server::Fulfilment& f, const FulfilArgs&) { return run_pack(f); }));
  auto* ship = cmd->add_subcommand("ship", "Give every card of a pack its tracking number");
  ship->add_option("pack", args->subject, "pack id")->required();
  ship->callback(
      run([](server::Fulfilment& f, const FulfilArgs& a) { return run_ship(f, a.subject); }));
  auto* event = cmd->add_subcommand("courier-event", "Record a courier's delivery or return");
  event->add_option("tracking_number", args->subject, "tracking number")->required();
  event->add_option("event", args->event, "in_transit | delivered | returned")
      ->required()
      ->check(CLI::IsMember({"in_transit", "delivered", "returned"}));
  event->add_option("--detail", args->detail, "the courier's note");
  event->callback(run(run_courier_event));
  cmd->add_subcommand("dispatch", "Send branch cards and returned mail to their branches")
      ->callback(run([](server::Fulfilment& f, const FulfilArgs&) { return run_dispatch(f); }));
  auto* receipt = cmd->add_subcommand("branch-receipt", "The branch confirms it has the card");
  receipt->add_option("application_id", args->subject, "application")->required();
  receipt->add_option("--clerk", args->clerk, "who confirms")->required();
  receipt->callback(run([](server::Fulfilment& f, const FulfilArgs& a) {
    if (auto s = f.branch_received(a.subject, a.clerk); !s) return failed(s.error());
    std::cout << a.subject << " ready for pickup\n";
    return 0;
  }));
  auto* collect = cmd->add_subcommand(
      "collect", "Hand the card over; the holder's ID number is read from stdin");
  collect->add_option("application_id", args->subject, "application")->required();
  collect->add_option("--clerk", args->clerk, "who hands it over")->required();
  collect->callback(run(run_collect));
}

}  // namespace cardd::cardctl
