// /healthz: the process answers. /readyz: what a card needs is there.
#include <nlohmann/json.hpp>

#include "cardd/server/production_lines.h"
#include "routes.h"

namespace cardd::server::api {

void add_health_routes(Router& router, const ApiContext& context) {
  router.add({"GET", "/healthz", {}, "Liveness: the process answers", [](const Call&) {
                return Result<Response>(json_response(200, R"({"status":"ok"})"));
              }});
  router.add({"GET",
              "/readyz",
              {},
              "Readiness: database, HSM, readers, printers, the bureau; 503 when one is not",
              [context](const Call&) {
                nlohmann::json checks = nlohmann::json::object();
                bool ready = true;
                const auto check = [&](const char* name, const Status& s) {
                  checks[name] = s ? "ok" : s.error().describe();
                  ready = ready && s.ok();
                };
                auto states = context.store->count_by_state();
                check("database", states ? Status{} : Status(states.error()));
                if (context.hsm != nullptr) {
                  auto random = context.hsm->random(8);
                  check("hsm", random ? Status{} : Status(random.error()));
                }
                if (context.lines != nullptr) {
                  std::size_t with_reader = 0, slots = 0;
                  for (const auto& slot : context.lines->status()) {
                    ++slots;
                    if (!slot.reader.empty()) ++with_reader;
                  }
                  checks["readers"] = std::to_string(with_reader) + " of " + std::to_string(slots);
                  // A line can work as soon as one reader is there.
                  ready = ready && (slots == 0 || with_reader > 0);
                  nlohmann::json printers = nlohmann::json::object();
                  for (const auto& [line, s] : context.lines->printers_ready()) {
                    printers[line] = s ? "ok" : s.error().describe();
                    ready = ready && s.ok();
                  }
                  checks["printers"] = printers;
                }
                if (context.bureau_reachable) check("bureau", context.bureau_reachable());
                return Result<Response>(
                    json_body(ready ? 200 : 503, {{"ready", ready}, {"checks", checks}}));
              }});
}

}  // namespace cardd::server::api
