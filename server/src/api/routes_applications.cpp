// Applications: one with its history.
#include "cardd/server/status_json.h"
#include "routes.h"

namespace cardd::server::api {

void add_application_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/api/v1/applications/{id}",
              {"bureau", "operator"},
              "One application: state, shipment and full history",
              [context](const Call& call) -> Result<Response> {
                const std::string& id = call.params.at("id");
                auto status = context.store->status(id);
                if (!status) return status.error();
                auto shipment = context.store->shipment(id);
                if (!shipment) return shipment.error();
                return json_response(200, application_json(*status, *shipment));
              }});
}

}  // namespace cardd::server::api
