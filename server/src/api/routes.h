// The route groups of the API, each added to the router by its own file.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
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
void add_branch_routes(Router& router, const ApiContext& context);
void add_metrics_routes(Router& router, const ApiContext& context);
void add_center_routes(Router& router, const ApiContext& context);

// Who changed something, for the audit log: the API and the caller's token.
inline std::string actor_of(const ApiContext& context, const Call& call) {
  return context.actor + " (token " + std::to_string(call.caller.token_id) + ")";
}

// The request's body as a JSON object; nullopt when it is not one (400).
std::optional<nlohmann::json> json_object_body(const Call& call);
// A string member of `object`, or empty.
std::string text_member(const nlohmann::json& object, const char* key);
// A JSON document as a response body; text that is not UTF-8 is replaced.
Response json_body(unsigned status, const nlohmann::json& body);

// A connection for reads on this thread: each server thread its own, so
// reads do not queue behind one lock (the store itself when there is none).
db::Store& read_store(const ApiContext& context);

// Fulfilment steps on behalf of the caller (in the audit log as actor_of).
Result<Fulfilment> fulfilment_for(const ApiContext& context, const Call& call);

// ASCII letters in upper case (an ID number's check character X).
std::string upper(std::string s);
// A non-negative decimal; `fallback` when empty; nullopt when not one.
std::optional<std::int64_t> decimal(const std::string& text, std::int64_t fallback);
// `limit` of a list request: 1-1000, 100 when absent; nullopt when invalid.
std::optional<std::int64_t> page_limit(const Call& call);

// The OpenAPI 3 document of the router's routes.
std::string openapi_document(const Router& router);

}  // namespace cardd::server::api
