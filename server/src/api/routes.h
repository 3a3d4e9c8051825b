// The route groups of the API, each added to the router by its own file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cardd/server/api_server.h"
#include "router.h"

namespace cardd::server::api {

void add_health_routes(Router& router, const ApiContext& context);
void add_application_routes(Router& router, const ApiContext& context);
void add_line_routes(Router& router, const ApiContext& context);
void add_stock_routes(Router& router, const ApiContext& context);
void add_status_change_routes(Router& router, const ApiContext& context);
void add_shipment_routes(Router& router, const ApiContext& context);
void add_push_routes(Router& router, const ApiContext& context);

// Who changed something, for the audit log: the API and the caller's token.
inline std::string actor_of(const ApiContext& context, const Call& call) {
  return context.actor + " (token " + std::to_string(call.caller.token_id) + ")";
}

// `limit` of a list request: 1-1000, 100 when absent; nullopt when invalid.
std::optional<std::int64_t> page_limit(const Call& call);

// The OpenAPI 3 document of the router's routes.
std::string openapi_document(const Router& router);

}  // namespace cardd::server::api
