// A shipment by its tracking number: for the courier's desk and operators.
#include <nlohmann/json.hpp>

#include "cardd/db/state.h"
#include "routes.h"

namespace cardd::server::api {

void add_shipment_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/api/v1/shipments/{tracking}",
              {"courier", "operator"},
              "A shipment: its pack, postal area, courier and the card's state and history",
              [context](const Call& call) -> Result<Response> {
                const std::string& tracking = call.params.at("tracking");
                auto shipment = context.store->shipment_by_tracking(tracking);
                if (!shipment) return shipment.error();
                if (!*shipment)
                  return error_response(404, "shipments.unknown", "no shipment " + tracking);
                const db::Shipment& s = **shipment;
                auto status = context.store->status(s.application_id);
                if (!status) return status.error();
                nlohmann::json events = nlohmann::json::array();
                for (const auto& e : status->history)
                  events.push_back({{"state", db::to_string(e.to)}, {"at", e.at}});
                const nlohmann::json body = {{"tracking_number", s.tracking_number},
                                             {"courier", s.courier},
                                             {"pack", s.pack_id},
                                             {"postal_area", s.postal_area},
                                             {"application_id", s.application_id},
                                             {"state", db::to_string(status->state)},
                                             {"events", events}};
                return json_response(200, body.dump());
              }});
}

}  // namespace cardd::server::api
