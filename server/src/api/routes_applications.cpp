// Applications: one with its history; those in a state, a page at a time.
#include <nlohmann/json.hpp>

#include "cardd/db/state.h"
#include "cardd/server/status_json.h"
#include "routes.h"

namespace cardd::server::api {

void add_application_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/api/v1/applications",
              {"operator"},
              "Applications in `state`, by id, `limit` (1-1000) a page from the opaque `cursor`",
              [context](const Call& call) -> Result<Response> {
                const auto state = db::state_from_string(call.query_value("state"));
                if (!state)
                  return error_response(400, "request.bad_state",
                                        "state: one of the states of DESIGN.md, e.g. QUEUED");
                const auto limit = page_limit(call);
                if (!limit) return error_response(400, "request.bad_limit", "limit: 1 to 1000");
                // The cursor is the last id of the page before.
                auto page = context.store->applications_in_state(*state, call.query_value("cursor"),
                                                                 *limit);
                if (!page) return page.error();
                nlohmann::json items = nlohmann::json::array();
                for (const auto& a : *page)
                  items.push_back({{"application_id", a.application_id},
                                   {"state", db::to_string(a.state)},
                                   {"collection", to_string(a.collection)},
                                   {"updated_at", a.updated_at}});
                nlohmann::json body = {{"applications", items}};
                body["next"] = static_cast<std::int64_t>(page->size()) == *limit
                                   ? nlohmann::json(page->back().application_id)
                                   : nlohmann::json();
                return json_body(200, body);
              }});
  router.add({"GET",
              "/api/v1/applications/{id}",
              {"bureau", "operator"},
              "One application: state, shipment and full history",
              [context](const Call& call) -> Result<Response> {
                const std::string& id = call.params.at("id");
                auto view = read_store(context).application_view(id);
                if (!view) return view.error();
                return json_response(200, application_json(view->status, view->shipment));
              }});
}

}  // namespace cardd::server::api
