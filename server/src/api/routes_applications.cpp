// Applications: one with its history and its card face; those in a state,
// a page at a time; those an operator finds by id, card number or the ID
// number's last characters.
#include <nlohmann/json.hpp>

#include "cardd/common/pii.h"
#include "cardd/db/state.h"
#include "routes.h"

namespace cardd::server::api {
namespace {

constexpr std::int64_t kMaxFound = 20;

// One line of a list: an ApplicationSummary or an ApplicationStatus.
template <typename Application>
nlohmann::json summary_json(const Application& a) {
  return {{"application_id", a.application_id},
          {"state", db::to_string(a.state)},
          {"collection", to_string(a.collection)},
          {"updated_at", a.updated_at}};
}

// Whom `q` finds, with name and masked ID number so the operator picks the
// right one (each holder's data opened, and audited, as "operator search").
Result<Response> search(const ApiContext& context, const Call& call, const std::string& q) {
  auto ids = context.store->search(q, kMaxFound);
  if (!ids) return ids.error();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& id : *ids) {
    auto status = context.store->status(id);
    if (!status) return status.error();
    nlohmann::json item = summary_json(*status);
    if (status->state != db::AppState::rejected) {
      auto holder = context.store->sensitive(id, actor_of(context, call), "operator search");
      if (!holder) return holder.error();
      // The hash matched the last four; a longer tail must match in full
      // (the check character X in either case, as the hash takes it).
      if (id != q && status->card_number != q && q.size() > db::kIdTailLength &&
          !upper(holder->id_number).ends_with(upper(q)))
        continue;
      item["name"] = holder->name;
      item["id_number"] = mask_id_number(holder->id_number);
    }
    items.push_back(std::move(item));
  }
  return json_body(200, {{"applications", items}, {"next", nullptr}});
}

}  // namespace

void add_application_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/api/v1/applications",
              {"operator"},
              "Applications in `state`, by id, `limit` (1-1000) a page from the opaque `cursor`; "
              "or those `q` finds (application id, card number, the ID number's last 4+ "
              "characters), at most 20, with name and masked ID number",
              [context](const Call& call) -> Result<Response> {
                if (const std::string q = call.query_value("q"); !q.empty())
                  return search(context, call, q);
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
                for (const auto& a : *page) items.push_back(summary_json(a));
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
                auto document = read_store(context).application_document(call.params.at("id"));
                if (!document) return document.error();
                return json_response(200, std::move(*document));
              }});
  router.add({"GET",
              "/api/v1/applications/{id}/face.png",
              {"operator"},
              "The card face as printed (`side` front or back; front when absent), PNG; the "
              "holder's data read for it is audited",
              [context](const Call& call) -> Result<Response> {
                const std::string side = call.query_value("side");
                if (!side.empty() && side != "front" && side != "back")
                  return error_response(400, "request.bad_side", "side: front or back");
                if (!context.card_face)
                  return error_response(503, "faces.unavailable", "no card-face renderer here");
                auto png = context.card_face(call.params.at("id"), side == "back",
                                             actor_of(context, call));
                if (!png) return png.error();
                return Response{200, "image/png", std::move(*png)};
              }});
}

}  // namespace cardd::server::api
