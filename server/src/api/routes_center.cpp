// What the pages ask first and most often: who the token is, and the center
// at a glance (states, cards per hour, spoilage, outbox, the bureau) in one
// answer instead of a Prometheus scrape to parse.
#include <nlohmann/json.hpp>

#include "cardd/common/civil_time.h"
#include "routes.h"

namespace cardd::server::api {
namespace {

constexpr int kChartHours = 24;
constexpr UnixSeconds kHour = 3600;

// The last kChartHours hours, the current one last, each with the cards
// that passed quality control in it (zero included: a chart needs every bar).
Result<nlohmann::json> cards_per_hour(db::Store& store) {
  const UnixSeconds current = unix_now() / kHour * kHour;
  const UnixSeconds first = current - (kChartHours - 1) * kHour;
  auto counted = store.entered_per_hour(db::AppState::qc_passed, format_rfc3339_utc(first));
  if (!counted) return counted.error();
  nlohmann::json hours = nlohmann::json::array();
  auto it = counted->begin();
  for (UnixSeconds h = first; h <= current; h += kHour) {
    const std::string hour = format_rfc3339_utc(h).substr(0, 13);
    std::int64_t cards = 0;
    while (it != counted->end() && it->first <= hour) {
      if (it->first == hour) cards = it->second;
      ++it;
    }
    hours.push_back({{"hour", hour + ":00:00Z"}, {"cards", cards}});
  }
  return hours;
}

Result<Response> summary(const ApiContext& context) {
  db::Store& store = read_store(context);
  auto states = store.count_by_state();
  if (!states) return states.error();
  // In the order of the life cycle, every state (zero included).
  nlohmann::json applications = nlohmann::json::array();
  for (int s = 0; s <= static_cast<int>(db::AppState::collected); ++s) {
    const auto state = static_cast<db::AppState>(s);
    const auto found = states->find(state);
    applications.push_back(
        {{"state", db::to_string(state)}, {"count", found == states->end() ? 0 : found->second}});
  }
  auto reached = store.count_reached();
  if (!reached) return reached.error();
  const auto issued = reached->find(db::AppState::qc_passed);
  auto spoiled = store.spoiled_by_reason();
  if (!spoiled) return spoiled.error();
  auto backlog = store.outbox_backlog();
  if (!backlog) return backlog.error();
  auto hours = cards_per_hour(store);
  if (!hours) return hours.error();
  nlohmann::json bureau = "not checked";
  if (context.bureau_reachable) {
    const Status s = context.bureau_reachable();
    bureau = s ? "ok" : s.error().describe();
  }
  return json_body(200, {{"applications", applications},
                         {"issued", issued == reached->end() ? 0 : issued->second},
                         {"spoiled", *spoiled},
                         {"cards_per_hour", *hours},
                         {"outbox_backlog", *backlog},
                         {"bureau", bureau}});
}

}  // namespace

void add_center_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/api/v1/me",
              {"bureau", "operator", "branch", "courier"},
              "The caller's token: its role, and the branch of a branch token",
              [](const Call& call) -> Result<Response> {
                return json_body(200, {{"token_id", call.caller.token_id},
                                       {"role", call.caller.role},
                                       {"branch", call.caller.branch}});
              }});
  router.add({"GET",
              "/api/v1/summary",
              {"operator"},
              "The center at a glance: applications by state, cards issued, cards per hour over "
              "the last 24 hours, spoilage by reason, outbox backlog, the bureau's reachability",
              [context](const Call&) { return summary(context); }});
}

}  // namespace cardd::server::api
