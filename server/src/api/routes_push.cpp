// The push alternative to the pull: the bureau posts approved applications
// and they go through the same validation, idempotency and conflict rules
// (server/intake.h). Each application gets its outcome; a rejected one is a
// stored answer with its reasons, not a failed request.
#include <nlohmann/json.hpp>

#include "cardd/server/intake.h"
#include "routes.h"

namespace cardd::server::api {

void add_push_routes(Router& router, const ApiContext& context) {
  auto intake = std::make_shared<Intake>(*context.store, context.validation, 1);
  router.add(
      {"POST",
       "/api/v1/applications",
       {"bureau"},
       "Push approved applications: {\"applications\": [ ... ]}; the outcome of each, in order",
       [context, intake](const Call& call) -> Result<Response> {
         const auto body = nlohmann::json::parse(call.request.body, nullptr, false);
         if (body.is_discarded() || !body.is_object() || !body.contains("applications") ||
             !body["applications"].is_array())
           return error_response(400, "request.bad_json",
                                 "expected {\"applications\": [ ... ]} as JSON");
         if (body["applications"].empty())
           return error_response(422, "request.invalid", "no applications");
         // Each document as the pull would see it: its own JSON text.
         std::vector<std::string> documents;
         for (const auto& a : body["applications"])
           documents.push_back(a.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
         const std::vector<std::string_view> views(documents.begin(), documents.end());
         auto items =
             intake->ingest(views, IntakeSource{"api", actor_of(context, call), std::nullopt, ""});
         if (!items) return items.error();
         nlohmann::json outcomes = nlohmann::json::array();
         for (const auto& item : *items) {
           nlohmann::json errors = nlohmann::json::array();
           for (const auto& e : item.errors)
             errors.push_back({{"field", e.field}, {"code", e.code}, {"message", e.message}});
           outcomes.push_back({{"application_id", item.application_id},
                               {"outcome", to_string(item.outcome)},
                               {"errors", errors}});
         }
         return json_body(200, nlohmann::json{{"outcomes", outcomes}});
       }});
}

}  // namespace cardd::server::api
