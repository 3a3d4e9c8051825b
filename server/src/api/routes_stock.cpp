// Blank-card stock: lots with what was used, spoiled and is left; a new lot.

#include <nlohmann/json.hpp>

#include "cardd/server/card_lot.h"
#include "routes.h"

namespace cardd::server::api {

void add_stock_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/api/v1/stock",
              {"operator"},
              "Blank-card lots: received, used, spoiled, in progress, left",
              [context](const Call&) -> Result<Response> {
                auto stock = context.store->stock();
                if (!stock) return stock.error();
                nlohmann::json lots = nlohmann::json::array();
                for (const auto& l : *stock)
                  lots.push_back(
                      {{"lot", l.lot},
                       {"first_serial", first_serial_text(l.chip_prefix, l.first_serial)},
                       {"received", l.received},
                       {"used", l.used},
                       {"spoiled", l.spoiled},
                       {"in_progress", l.in_progress},
                       {"left", l.left}});
                return json_response(200, nlohmann::json{{"lots", lots}}.dump());
              }});
  router.add({"POST",
              "/api/v1/stock/lots",
              {"operator"},
              "Add a lot as delivered: {\"lot\", \"first_serial\" (8 or 16 hex digits), \"count\"}",
              [context](const Call& call) -> Result<Response> {
                const auto body = json_object_body(call);
                if (!body)
                  return error_response(400, "request.bad_json", "the body is not a JSON object");
                const std::int64_t count =
                    body->contains("count") && (*body)["count"].is_number_integer()
                        ? (*body)["count"].get<std::int64_t>()
                        : 0;
                auto lot = parse_card_lot(text_member(*body, "lot"),
                                          text_member(*body, "first_serial"), count);
                if (!lot) return error_response(422, "request.invalid", lot.error().message);
                if (auto s = context.store->add_lot(*lot, actor_of(context, call)); !s)
                  return s.error();
                const nlohmann::json out = {
                    {"lot", lot->lot},
                    {"first_serial", first_serial_text(lot->chip_prefix, lot->first_serial)},
                    {"count", lot->count}};
                return json_response(201, out.dump());
              }});
}

}  // namespace cardd::server::api
