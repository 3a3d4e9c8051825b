#include "cardd/server/status_json.h"

#include <nlohmann/json.hpp>

#include "cardd/common/pii.h"

namespace cardd::server {

std::string application_json(const db::ApplicationStatus& s,
                             const std::optional<db::Shipment>& shipment) {
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : s.history) {
    history.push_back({{"seq", e.seq},
                       {"from", e.from ? nlohmann::json(db::to_string(*e.from)) : nlohmann::json()},
                       {"to", db::to_string(e.to)},
                       {"at", e.at},
                       {"actor", e.actor},
                       {"reason", e.reason}});
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& r : s.rejection)
    errors.push_back({{"field", r.field}, {"code", r.code}, {"message", r.message}});
  const nlohmann::json j = {
      {"application_id", s.application_id},
      {"state", db::to_string(s.state)},
      {"card_number",
       s.card_number.empty() ? nlohmann::json() : nlohmann::json(mask_tail4(s.card_number))},
      {"collection", to_string(s.collection)},
      {"issuing_branch", s.details ? nlohmann::json(s.details->issuing_branch) : nlohmann::json()},
      {"created_at", s.created_at},
      {"updated_at", s.updated_at},
      {"errors", errors},
      {"history", history},
      {"shipment", shipment ? nlohmann::json{{"pack", shipment->pack_id},
                                             {"postal_area", shipment->postal_area},
                                             {"courier", shipment->courier},
                                             {"tracking_number", shipment->tracking_number}}
                            : nlohmann::json()}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cardd::server
