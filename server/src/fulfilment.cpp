#include "cardd/server/fulfilment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

namespace cardd::server {
namespace {

constexpr std::int64_t kBatchAll = 100000;

Error bad_configuration(std::string message) {
  return make_error(FulfilmentError::bad_configuration, std::move(message));
}

}  // namespace

Result<Fulfilment> Fulfilment::create(FulfilmentRepositories store, FulfilmentOptions options,
                                      std::string actor) {
  auto range = parse_tracking_range(options.tracking_first, options.tracking_last);
  if (!range) return bad_configuration("fulfilment.tracking_first/last: " + range.error().message);
  if (options.pack_batch < 1) return bad_configuration("fulfilment.pack_batch must be at least 1");
  if (options.courier.empty()) return bad_configuration("fulfilment.courier is empty");
  if (options.postal_area_digits < 1 || options.postal_area_digits > 6)
    return bad_configuration("the postal area is 1 to 6 digits of the postal code");
  return Fulfilment(store, std::move(options), std::move(*range), std::move(actor));
}

Fulfilment::Fulfilment(FulfilmentRepositories store, FulfilmentOptions options, TrackingRange range,
                       std::string actor)
    : store_(store),
      options_(std::move(options)),
      range_(std::move(range)),
      actor_(std::move(actor)) {}

Result<std::vector<Pack>> Fulfilment::pack_mail() {
  auto waiting =
      store_.fulfilment.waiting(db::AppState::qc_passed, db::CollectionMethod::mail, kBatchAll);
  if (!waiting) return waiting.error();
  std::map<std::string, std::vector<std::string>> by_area;
  for (const auto& w : *waiting)
    by_area[w.postal_code.substr(0, options_.postal_area_digits)].push_back(w.application_id);
  std::vector<Pack> packs;
  const auto batch = static_cast<std::size_t>(options_.pack_batch);
  for (auto& [area, ids] : by_area) {
    for (std::size_t start = 0; start < ids.size(); start += batch) {
      auto number = store_.cards.allocate("pack", 1, 999'999'999);
      if (!number) return number.error();
      Pack pack{fmt::format("PK{:09}", *number), area, {}};
      const auto end = std::min(ids.size(), start + batch);
      pack.application_ids.assign(ids.begin() + static_cast<std::ptrdiff_t>(start),
                                  ids.begin() + static_cast<std::ptrdiff_t>(end));
      if (auto s = store_.fulfilment.pack(pack.pack_id, area, pack.application_ids, actor_); !s)
        return s.error();
      packs.push_back(std::move(pack));
    }
  }
  return packs;
}

Result<std::vector<db::Shipment>> Fulfilment::ship(std::string_view pack_id) {
  auto contents = store_.fulfilment.pack_contents(pack_id);
  if (!contents) return contents.error();
  if (contents->empty())
    return make_error(db::DbError::not_found, fmt::format("no pack {}", pack_id));
  const std::string counter =
      fmt::format("tracking:{}:{}{}", options_.courier, range_.service, range_.country);
  for (db::Shipment& s : *contents) {
    if (!s.tracking_number.empty()) continue;
    auto serial = store_.cards.allocate(counter, range_.first, range_.last);
    if (!serial) return serial.error();
    std::string number = format_s10(S10Number{range_.service, *serial, range_.country});
    if (auto r = store_.fulfilment.ship(s.application_id, options_.courier, number, actor_); !r)
      return r.error();
    s.courier = options_.courier;
    s.tracking_number = std::move(number);
  }
  return contents;
}

std::string_view to_string(CourierEvent e) {
  switch (e) {
    case CourierEvent::in_transit:
      return "in_transit";
    case CourierEvent::delivered:
      return "delivered";
    case CourierEvent::returned:
      return "returned";
  }
  return "?";
}

std::optional<CourierEvent> parse_courier_event(std::string_view text) {
  for (CourierEvent e : {CourierEvent::in_transit, CourierEvent::delivered, CourierEvent::returned})
    if (to_string(e) == text) return e;
  return std::nullopt;
}

Result<db::EventOutcome> Fulfilment::courier_event(const CourierReport& report) {
  auto shipment = store_.fulfilment.shipment_by_tracking(report.tracking_number);
  if (!shipment) return shipment.error();
  if (!*shipment)
    return make_error(
        FulfilmentError::unknown_tracking_number,
        fmt::format("no card was shipped with tracking number {}", report.tracking_number));
  std::optional<db::AppState> to;
  if (report.event == CourierEvent::delivered) to = db::AppState::delivered;
  if (report.event == CourierEvent::returned) to = db::AppState::returned;
  const db::CourierEventRecord record{
      report.event_id,    report.tracking_number, std::string(to_string(report.event)),
      report.occurred_at, report.detail,          {}};
  return store_.fulfilment.record_courier_event(record, (*shipment)->application_id, to, actor_);
}

Result<std::vector<std::string>> Fulfilment::dispatch_to_branches() {
  std::vector<std::string> dispatched;
  for (const auto& [state, collection, why] :
       {std::tuple{db::AppState::qc_passed, db::CollectionMethod::branch, "for pickup"},
        std::tuple{db::AppState::returned, db::CollectionMethod::mail,
                   "returned by the courier, for pickup"}}) {
    auto waiting = store_.fulfilment.waiting(state, collection, kBatchAll);
    if (!waiting) return waiting.error();
    for (const auto& w : *waiting) {
      if (auto s =
              store_.applications.transition(w.application_id, db::AppState::dispatched, actor_,
                                             fmt::format("to branch {} {}", w.issuing_branch, why));
          !s)
        return s.error();
      dispatched.push_back(w.application_id);
    }
  }
  return dispatched;
}

Status Fulfilment::branch_received(std::string_view application_id, std::string_view clerk) {
  return store_.applications.transition(application_id, db::AppState::ready_for_pickup, actor_,
                                        fmt::format("received at the branch by {}", clerk));
}

Status Fulfilment::collect(std::string_view application_id, std::string_view id_number,
                           std::string_view clerk) {
  std::string shown(id_number);
  std::transform(shown.begin(), shown.end(), shown.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  auto holders = store_.applications.find_by_id_number(shown);
  if (!holders) return holders.error();
  if (std::find(holders->begin(), holders->end(), application_id) == holders->end()) {
    // Never the number shown: only that it did not match, and who tried.
    (void)store_.audit_log.audit(actor_, "collect.refused", application_id,
                                 fmt::format("ID number shown does not match the holder's; clerk "
                                             "{}",
                                             clerk));
    return make_error(
        FulfilmentError::id_mismatch,
        fmt::format("application {}: the ID number shown is not the holder's", application_id));
  }
  return store_.applications.transition(application_id, db::AppState::collected, actor_,
                                        fmt::format("handed over by {}", clerk));
}

}  // namespace cardd::server
