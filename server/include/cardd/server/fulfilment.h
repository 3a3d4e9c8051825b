// Mail and branch fulfilment (spec/service.md, "Fulfilment"):
//   mail:   QC_PASSED → PACKED (per postal area, packs of at most pack_batch)
//           → SHIPPED (a tracking number from the courier's range, never
//           twice) → DELIVERED | RETURNED; a returned card is DISPATCHED to
//           its issuing branch;
//   branch: QC_PASSED → DISPATCHED → READY_FOR_PICKUP (the branch confirms
//           receipt) → COLLECTED (the holder's full ID number checked; a
//           mismatch refused and audited; the clerk recorded).
// Each step is one state change of the store (history, audit, outbox).
//
// Thread safety: one Fulfilment per worker; the store serialises writes.
#pragma once

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/application_repository.h"
#include "cardd/db/audit_repository.h"
#include "cardd/db/card_repository.h"
#include "cardd/db/fulfilment_repository.h"
#include "cardd/server/fulfilment_error.h"
#include "cardd/server/tracking_number.h"

namespace cardd::server {

struct FulfilmentOptions {
  std::string courier = "ems";
  std::string tracking_first = "EA000000001CN";
  std::string tracking_last = "EA999999999CN";
  int pack_batch = 50;
  // A Chinese postal code's first four digits name the delivery office's
  // area: one pack goes to one office.
  std::size_t postal_area_digits = 4;
};

struct FulfilmentRepositories {
  template <class S>
  requires std::derived_from<S, db::ApplicationRepository> &&
      std::derived_from<S, db::CardRepository> && std::derived_from<S, db::FulfilmentRepository> &&
      std::derived_from<S, db::AuditRepository>
      FulfilmentRepositories(S& store)  // NOLINT(google-explicit-constructor): callers pass a store
      : applications(store), cards(store), fulfilment(store), audit_log(store) {}

  db::ApplicationRepository& applications;
  db::CardRepository& cards;  // the number allocators
  db::FulfilmentRepository& fulfilment;
  db::AuditRepository& audit_log;
};

struct Pack {
  std::string pack_id;
  std::string postal_area;
  std::vector<std::string> application_ids;
};

enum class CourierEvent { in_transit, delivered, returned };
std::string_view to_string(CourierEvent e);
std::optional<CourierEvent> parse_courier_event(std::string_view text);

// A courier's report about one shipment; `event_id` is the courier's own,
// so a report sent twice is kept once.
struct CourierReport {
  std::string event_id;
  std::string tracking_number;
  CourierEvent event = CourierEvent::in_transit;
  std::string occurred_at;
  std::string detail;
};

class Fulfilment {
 public:
  // bad_configuration when the range or batch size is impossible.
  static Result<Fulfilment> create(FulfilmentRepositories store, FulfilmentOptions options,
                                   std::string actor);

  // Packs every QC_PASSED mail card, grouped by postal area.
  Result<std::vector<Pack>> pack_mail();
  // Ships every card of a pack, each with the next tracking number; a card
  // already shipped keeps its number (a resumed run).
  Result<std::vector<db::Shipment>> ship(std::string_view pack_id);
  // Keeps the report; delivered and returned end the card's journey.
  // unknown_tracking_number for a number cardd never shipped; duplicate when
  // the event id was kept before; db conflict when that id said otherwise.
  Result<db::EventOutcome> courier_event(const CourierReport& report);
  // QC_PASSED branch cards and RETURNED mail cards → DISPATCHED to their
  // issuing branch. Returns the applications dispatched.
  Result<std::vector<std::string>> dispatch_to_branches();
  Status branch_received(std::string_view application_id, std::string_view clerk);
  // id_mismatch (audited, nothing changes) unless `id_number` is the holder's.
  Status collect(std::string_view application_id, std::string_view id_number,
                 std::string_view clerk);

 private:
  Fulfilment(FulfilmentRepositories store, FulfilmentOptions options, TrackingRange range,
             std::string actor);

  FulfilmentRepositories store_;
  FulfilmentOptions options_;
  TrackingRange range_;
  std::string actor_;
};

}  // namespace cardd::server
