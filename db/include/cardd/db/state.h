// The application life cycle (DESIGN.md): one enum, and the one place that
// says which transition is legal.
#pragma once

#include <optional>
#include <string_view>

#include "cardd/common/collection.h"

namespace cardd::db {

enum class AppState {
  received,
  validated,
  rejected,
  queued,
  prepared,
  encoding,
  encoded,
  printing,
  printed,
  qc_passed,
  packed,
  shipped,
  delivered,
  returned,
  dispatched,
  ready_for_pickup,
  collected,
};

// "RECEIVED", "QC_PASSED", ... as stored and as reported to the bureau.
std::string_view to_string(AppState s);
std::optional<AppState> state_from_string(std::string_view s);

using cardd::collection_from_string;
using cardd::CollectionMethod;
using cardd::to_string;

// Legal moves. Failing encoding, printing or QC sends the application back to
// QUEUED (the card is spoiled); after QC the route depends on how the holder
// collects the card: PACKED→SHIPPED→DELIVERED|RETURNED by mail,
// DISPATCHED→READY_FOR_PICKUP→COLLECTED at a branch; a RETURNED mail card is
// DISPATCHED to its issuing branch.
bool is_legal_transition(AppState from, AppState to, CollectionMethod collection);

// No transition leaves these.
bool is_terminal(AppState s);

}  // namespace cardd::db
