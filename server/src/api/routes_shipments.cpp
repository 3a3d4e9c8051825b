// A shipment by its tracking number, for the courier's desk and operators;
// the courier's events about it, each kept once by the courier's event id.
#include <nlohmann/json.hpp>

#include "cardd/common/civil_time.h"
#include "cardd/db/state.h"
#include "routes.h"

namespace cardd::server::api {
namespace {

constexpr std::size_t kMaxEventId = 128, kMaxDetail = 500;

// The courier's report from the body; ApiError::invalid when it is not one.
Result<CourierReport> courier_report(const nlohmann::json& body, std::string tracking) {
  CourierReport r;
  r.event_id = text_member(body, "event_id");
  r.tracking_number = std::move(tracking);
  r.occurred_at = text_member(body, "occurred_at");
  r.detail = text_member(body, "detail");
  const auto invalid = [](std::string message) {
    return make_error(ApiError::invalid, std::move(message));
  };
  if (r.event_id.empty() || r.event_id.size() > kMaxEventId)
    return invalid("event_id: 1 to 128 characters, the courier's own id of this event");
  auto event = parse_courier_event(text_member(body, "event"));
  if (!event) return invalid("event: in_transit, delivered or returned");
  r.event = *event;
  if (r.occurred_at.empty()) r.occurred_at = format_rfc3339_utc(unix_now());
  if (!parse_rfc3339(r.occurred_at)) return invalid("occurred_at: an RFC 3339 time");
  if (r.detail.size() > kMaxDetail) return invalid("detail: at most 500 bytes");
  return r;
}

}  // namespace

void add_shipment_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/api/v1/shipments/{tracking}",
              {"courier", "operator"},
              "A shipment: its pack, postal area, courier and the card's state and history",
              [context](const Call& call) -> Result<Response> {
                const std::string& tracking = call.params.at("tracking");
                auto shipment = context.store->shipment_by_tracking(tracking);
                if (!shipment) return shipment.error();
                if (!*shipment)
                  return error_response(404, "shipments.unknown", "no shipment " + tracking);
                const db::Shipment& s = **shipment;
                auto status = context.store->status(s.application_id);
                if (!status) return status.error();
                nlohmann::json events = nlohmann::json::array();
                for (const auto& e : status->history)
                  events.push_back({{"state", db::to_string(e.to)}, {"at", e.at}});
                auto reported = context.store->courier_events(s.tracking_number);
                if (!reported) return reported.error();
                nlohmann::json courier_events = nlohmann::json::array();
                for (const auto& e : *reported)
                  courier_events.push_back({{"event_id", e.event_id},
                                            {"event", e.event},
                                            {"occurred_at", e.occurred_at},
                                            {"detail", e.detail},
                                            {"received_at", e.received_at}});
                const nlohmann::json body = {{"tracking_number", s.tracking_number},
                                             {"courier", s.courier},
                                             {"pack", s.pack_id},
                                             {"postal_area", s.postal_area},
                                             {"application_id", s.application_id},
                                             {"state", db::to_string(status->state)},
                                             {"events", events},
                                             {"courier_events", courier_events}};
                return json_body(200, body);
              }});
  router.add({"POST",
              "/api/v1/shipments/{tracking}/events",
              {"courier"},
              "A courier's event: {\"event_id\", \"event\" (in_transit, delivered, returned), "
              "\"occurred_at\", \"detail\"}; 201 when kept, 200 when that event id was kept before",
              [context](const Call& call) -> Result<Response> {
                const auto body = json_object_body(call);
                if (!body)
                  return error_response(400, "request.bad_json", "the body is not a JSON object");
                auto report = courier_report(*body, call.params.at("tracking"));
                if (!report) return report.error();
                auto fulfilment = fulfilment_for(context, call);
                if (!fulfilment) return fulfilment.error();
                auto outcome = fulfilment->courier_event(*report);
                if (!outcome) return outcome.error();
                const bool duplicate = *outcome == db::EventOutcome::duplicate;
                return json_body(duplicate ? 200 : 201, {{"event_id", report->event_id},
                                                         {"event", to_string(report->event)},
                                                         {"duplicate", duplicate}});
              }});
}

}  // namespace cardd::server::api
