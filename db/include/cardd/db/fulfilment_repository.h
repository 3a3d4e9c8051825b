// Mail and branch fulfilment records: which pack a mailed card travels in,
// its tracking number, and the lists of applications waiting for a step.
// Every change moves the application in the same transaction as its history,
// audit and outbox entries; the outbox message of SHIPPED and later carries
// the tracking number.
//
// Thread safety: as ApplicationRepository.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/error.h"
#include "cardd/db/state.h"

namespace cardd::db {

struct WaitingApplication {
  std::string application_id;
  std::string postal_code;     // mail: the recipient's
  std::string issuing_branch;  // the branch that hands over or takes a returned card
  std::string since;           // when it reached its state
};

// Cards of one branch in one state, by application id after `after_id`;
// `name` (the full name) and `id_tail` (an ID number's last kIdTailLength
// characters) narrow it through keyed hashes, nothing opened.
struct BranchQuery {
  AppState state = AppState::ready_for_pickup;
  std::string branch;
  std::string name;
  std::string id_tail;
  std::string after_id;
  std::int64_t limit = 100;
};

// What a courier reported about a shipment, kept once per event id.
struct CourierEventRecord {
  std::string event_id;
  std::string tracking_number;
  std::string event;  // in_transit, delivered, returned
  std::string occurred_at;
  std::string detail;
  std::string received_at;  // set by the store
};

enum class EventOutcome { recorded, duplicate };

struct Shipment {
  std::string application_id;
  std::string pack_id;
  std::string postal_area;
  std::string courier;          // empty until shipped
  std::string tracking_number;  // empty until shipped
};

class FulfilmentRepository {
 public:
  virtual ~FulfilmentRepository() = default;

  // Applications in `state` collected by `collection`, longest waiting first.
  virtual Result<std::vector<WaitingApplication>> waiting(AppState state,
                                                          CollectionMethod collection,
                                                          std::int64_t limit) = 0;
  // QC_PASSED → PACKED for every application, recorded in pack `pack_id`;
  // one transaction: the pack is complete or not there.
  virtual Status pack(std::string_view pack_id, std::string_view postal_area,
                      const std::vector<std::string>& application_ids, std::string_view actor) = 0;
  // PACKED → SHIPPED with its tracking number (conflict when the number was
  // ever given to another card).
  virtual Status ship(std::string_view application_id, std::string_view courier,
                      std::string_view tracking_number, std::string_view actor) = 0;
  virtual Result<std::vector<Shipment>> pack_contents(std::string_view pack_id) = 0;
  virtual Result<std::optional<Shipment>> shipment(std::string_view application_id) = 0;
  virtual Result<std::optional<Shipment>> shipment_by_tracking(std::string_view tracking) = 0;
  // Packs with a card still waiting for its tracking number (a run stopped
  // between packing and shipping, or shipping failed), first packed first.
  virtual Result<std::vector<std::string>> packs_to_ship(std::int64_t limit) = 0;
  // Packs whose every card has its tracking number and whose paper (carrier
  // letters and labels) is not printed yet, first shipped first.
  virtual Result<std::vector<std::string>> packs_awaiting_documents(std::int64_t limit) = 0;
  virtual Result<std::vector<WaitingApplication>> at_branch(const BranchQuery& query) = 0;
  // Keeps a courier's event and, when `to` is set, moves the application in
  // the same transaction (nothing is kept when the move is illegal). The same
  // event id again is `duplicate` when it says the same, conflict otherwise.
  virtual Result<EventOutcome> record_courier_event(const CourierEventRecord& event,
                                                    std::string_view application_id,
                                                    std::optional<AppState> to,
                                                    std::string_view actor) = 0;
  // A shipment's courier events, in the order received.
  virtual Result<std::vector<CourierEventRecord>> courier_events(std::string_view tracking) = 0;
  // Records that pack's letters and labels went to the paper printer.
  virtual Status mark_documents_printed(std::string_view pack_id) = 0;

 protected:
  FulfilmentRepository() = default;
  FulfilmentRepository(const FulfilmentRepository&) = default;
  FulfilmentRepository& operator=(const FulfilmentRepository&) = default;
};

}  // namespace cardd::db
