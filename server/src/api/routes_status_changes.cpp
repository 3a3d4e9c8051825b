// Every state change since a cursor: what the status pusher sends, for a
// bureau that prefers to pull it. The cursor is the last change's sequence
// number, opaque to the caller.
#include <nlohmann/json.hpp>

#include "routes.h"

namespace cardd::server::api {
void add_status_change_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/api/v1/status-changes",
              {"bureau"},
              "Every state change after the cursor `after` (empty: from the first), `limit` 1-1000",
              [context](const Call& call) -> Result<Response> {
                const auto after = decimal(call.query_value("after"), 0);
                const auto limit = page_limit(call);
                if (!after) return error_response(400, "request.bad_cursor", "after: not a cursor");
                if (!limit) return error_response(400, "request.bad_limit", "limit: 1 to 1000");
                auto messages = context.store->outbox_after(*after, *limit);
                if (!messages) return messages.error();
                nlohmann::json changes = nlohmann::json::array();
                for (const auto& m : *messages)
                  changes.push_back(nlohmann::json::parse(m.payload, nullptr, false));
                const std::int64_t next = messages->empty() ? *after : messages->back().seq;
                const nlohmann::json body = {{"changes", changes}, {"next", std::to_string(next)}};
                return json_body(200, body);
              }});
}

}  // namespace cardd::server::api
