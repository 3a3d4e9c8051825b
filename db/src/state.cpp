#include "cardd/db/state.h"

#include <array>
#include <utility>

namespace cardd::db {
namespace {

constexpr std::array<std::pair<AppState, std::string_view>, 17> kNames = {{
    {AppState::received, "RECEIVED"},
    {AppState::validated, "VALIDATED"},
    {AppState::rejected, "REJECTED"},
    {AppState::queued, "QUEUED"},
    {AppState::prepared, "PREPARED"},
    {AppState::encoding, "ENCODING"},
    {AppState::encoded, "ENCODED"},
    {AppState::printing, "PRINTING"},
    {AppState::printed, "PRINTED"},
    {AppState::qc_passed, "QC_PASSED"},
    {AppState::packed, "PACKED"},
    {AppState::shipped, "SHIPPED"},
    {AppState::delivered, "DELIVERED"},
    {AppState::returned, "RETURNED"},
    {AppState::dispatched, "DISPATCHED"},
    {AppState::ready_for_pickup, "READY_FOR_PICKUP"},
    {AppState::collected, "COLLECTED"},
}};

}  // namespace

std::string_view to_string(AppState s) {
  for (const auto& [state, name] : kNames)
    if (state == s) return name;
  return "UNKNOWN";
}

std::optional<AppState> state_from_string(std::string_view s) {
  for (const auto& [state, name] : kNames)
    if (name == s) return state;
  return std::nullopt;
}

bool is_legal_transition(AppState from, AppState to, CollectionMethod collection) {
  using S = AppState;
  switch (from) {
    case S::received:
      return to == S::validated || to == S::rejected;
    case S::validated:
      return to == S::queued;
    case S::queued:
      return to == S::prepared;
    case S::prepared:
      return to == S::encoding || to == S::queued;
    case S::encoding:
      return to == S::encoded || to == S::queued;
    case S::encoded:
      return to == S::printing || to == S::queued;
    case S::printing:
      return to == S::printed || to == S::queued;
    case S::printed:
      return to == S::qc_passed || to == S::queued;
    case S::qc_passed:
      return (to == S::packed && collection == CollectionMethod::mail) ||
             (to == S::dispatched && collection == CollectionMethod::branch);
    case S::packed:
      return to == S::shipped;
    case S::shipped:
      return to == S::delivered || to == S::returned;
    case S::dispatched:
      return to == S::ready_for_pickup;
    case S::ready_for_pickup:
      return to == S::collected;
    case S::returned:
      // A returned card goes to the issuing branch for pickup.
      return to == S::dispatched && collection == CollectionMethod::mail;
    case S::rejected:
    case S::delivered:
    case S::collected:
      return false;
  }
  return false;
}

bool is_terminal(AppState s) {
  return s == AppState::rejected || s == AppState::delivered || s == AppState::collected;
}

}  // namespace cardd::db
