// Production lines: their slots as the daemon sees them; pause and resume
// through the database, as `cardctl line` does (every daemon polls it).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "cardd/server/production_lines.h"
#include "routes.h"

namespace cardd::server::api {
namespace {

const LineConfig* line_named(const ApiContext& context, std::string_view name) {
  for (const auto& line : context.line_configs)
    if (line.name == name) return &line;
  return nullptr;
}

Handler set_paused(const ApiContext& context, bool paused, bool slot) {
  return [context, paused, slot](const Call& call) -> Result<Response> {
    const std::string& line = call.params.at("name");
    const LineConfig* config = line_named(context, line);
    if (config == nullptr) return error_response(404, "lines.unknown", "no line " + line);
    const std::string which = slot ? call.params.at("slot") : std::string();
    if (slot && std::find(config->slots.begin(), config->slots.end(), which) == config->slots.end())
      return error_response(404, "lines.unknown_slot", "line " + line + " has no slot " + which);
    if (auto s = context.store->set_paused(line, which, paused, actor_of(context, call)); !s)
      return s.error();
    const nlohmann::json body = {{"line", line}, {"slot", which}, {"paused", paused}};
    return json_response(200, body.dump());
  };
}

}  // namespace

void add_line_routes(Router& router, const ApiContext& context) {
  router.add(
      {"GET",
       "/api/v1/lines",
       {"operator"},
       "Production lines: slots, reader, activity, paused, cards made and spoiled, cards per "
       "hour over the last ten minutes",
       [context](const Call&) -> Result<Response> {
         auto controls = context.store->line_controls();
         if (!controls) return controls.error();
         auto stock = context.store->stock();
         if (!stock) return stock.error();
         const std::vector<SlotStatus> running =
             context.lines != nullptr ? context.lines->status() : std::vector<SlotStatus>{};
         nlohmann::json lines = nlohmann::json::array();
         for (const auto& line : context.line_configs) {
           nlohmann::json slots = nlohmann::json::array();
           double line_per_hour = 0;
           for (const auto& pattern : line.slots) {
             nlohmann::json s = {{"slot", pattern},
                                 {"paused", db::paused(*controls, line.name, pattern)}};
             for (const auto& status : running)
               if (status.line == line.name && status.slot == pattern) {
                 s["reader"] = status.reader;
                 s["activity"] = status.activity;
                 s["made"] = status.made;
                 s["spoiled"] = status.spoiled;
                 s["cards_per_hour"] = status.cards_per_hour;
                 for (const auto& lot : *stock)
                   if (lot.lot == status.lot) s["hopper"] = {{"lot", lot.lot}, {"left", lot.left}};
                 line_per_hour += status.cards_per_hour;
               }
             slots.push_back(std::move(s));
           }
           lines.push_back({{"name", line.name},
                            {"printer", line.printer},
                            {"paused", db::paused(*controls, line.name, "")},
                            {"cards_per_hour", line_per_hour},
                            {"slots", std::move(slots)}});
         }
         return json_body(200, {{"lines", lines}});
       }});
  for (const bool paused : {true, false}) {
    const std::string verb = paused ? "pause" : "resume";
    router.add({"POST",
                "/api/v1/lines/{name}/" + verb,
                {"operator"},
                paused ? "Pause a whole line" : "Resume a line and its slots",
                set_paused(context, paused, false)});
    router.add({"POST",
                "/api/v1/lines/{name}/slots/{slot}/" + verb,
                {"operator"},
                paused ? "Pause one slot" : "Resume one slot",
                set_paused(context, paused, true)});
  }
}

}  // namespace cardd::server::api
