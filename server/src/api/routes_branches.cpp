// A branch's counter: the cards that arrived (DISPATCHED → READY_FOR_PICKUP),
// the cards waiting there, found by the holder's full name or the ID number's
// last digits, and the hand-over once the holder's full ID number matches. A
// branch token acts on its own branch's cards only; the router refuses
// another branch's {code}, these handlers another branch's application.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "cardd/common/pii.h"
#include "routes.h"

namespace cardd::server::api {
namespace {

constexpr std::size_t kMaxReceipt = 1000;

// Whether the application is a card of `branch`.
bool of_branch(const db::ApplicationStatus& status, std::string_view branch) {
  return status.details && status.details->issuing_branch == branch;
}

// Digits, the last one perhaps the check character X: an ID number's tail.
bool looks_like_id_tail(std::string_view q) {
  for (std::size_t i = 0; i < q.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(q[i])) &&
        !(i + 1 == q.size() && (q[i] == 'x' || q[i] == 'X')))
      return false;
  return !q.empty();
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

Result<Response> receive(const ApiContext& context, const Call& call) {
  const auto body = json_object_body(call);
  if (!body || !body->contains("applications") || !(*body)["applications"].is_array())
    return error_response(400, "request.bad_json",
                          "expected {\"applications\": [ids], \"clerk\": name}");
  const std::string clerk = text_member(*body, "clerk");
  const auto& ids = (*body)["applications"];
  if (clerk.empty()) return make_error(ApiError::invalid, "clerk: who at the branch received them");
  if (ids.empty() || ids.size() > kMaxReceipt)
    return make_error(ApiError::invalid, "applications: 1 to 1000 ids");
  auto fulfilment = fulfilment_for(context, call);
  if (!fulfilment) return fulfilment.error();
  const std::string& branch = call.params.at("code");
  nlohmann::json outcomes = nlohmann::json::array();
  for (const auto& item : ids) {
    const std::string id = item.is_string() ? item.get<std::string>() : std::string();
    auto status = context.store->status(id);  // not_found for an empty id too
    if (!status && status.error().code != db::DbError::not_found) return status.error();
    // Another branch's card is as unknown here as no card at all.
    if (!status || !of_branch(*status, branch)) {
      outcomes.push_back({{"application_id", id},
                          {"outcome", "unknown"},
                          {"message", "no card of branch " + branch + " has this id"}});
      continue;
    }
    if (status->state == db::AppState::ready_for_pickup) {
      outcomes.push_back({{"application_id", id}, {"outcome", "already_received"}});
      continue;
    }
    if (auto s = fulfilment->branch_received(id, clerk); !s)
      outcomes.push_back(
          {{"application_id", id}, {"outcome", "refused"}, {"message", s.error().message}});
    else
      outcomes.push_back({{"application_id", id}, {"outcome", "received"}});
  }
  return json_body(200, {{"outcomes", outcomes}});
}

Result<Response> pickups(const ApiContext& context, const Call& call) {
  const auto limit = page_limit(call);
  if (!limit) return error_response(400, "request.bad_limit", "limit: 1 to 1000");
  db::BranchQuery query;
  query.branch = call.params.at("code");
  query.after_id = call.query_value("cursor");
  query.limit = *limit;
  const std::string q = trimmed(call.query_value("q"));
  const bool by_tail = looks_like_id_tail(q);
  if (by_tail && q.size() < db::kIdTailLength)
    return make_error(ApiError::invalid, "q: at least the last 4 characters of the ID number");
  (by_tail ? query.id_tail : query.name) = q;
  auto page = context.store->at_branch(query);
  if (!page) return page.error();
  nlohmann::json cards = nlohmann::json::array();
  for (const auto& w : *page) {
    nlohmann::json card = {{"application_id", w.application_id}, {"ready_since", w.since}};
    // A search shows the clerk whom it found; the list alone opens nobody's data.
    if (!q.empty()) {
      auto holder = context.store->sensitive(w.application_id, actor_of(context, call),
                                             "branch counter search");
      if (!holder) return holder.error();
      if (by_tail && !upper(holder->id_number).ends_with(upper(q))) continue;
      card["name"] = holder->name;
      card["id_number"] = mask_id_number(holder->id_number);
    }
    cards.push_back(std::move(card));
  }
  const bool full = static_cast<std::int64_t>(page->size()) == *limit;
  return json_body(200, {{"cards", cards},
                         {"next_cursor",
                          full ? nlohmann::json(page->back().application_id) : nlohmann::json()}});
}

Result<Response> collect(const ApiContext& context, const Call& call) {
  const auto body = json_object_body(call);
  if (!body) return error_response(400, "request.bad_json", "the body is not a JSON object");
  const std::string id_number = trimmed(text_member(*body, "id_number"));
  const std::string clerk = text_member(*body, "clerk");
  if (id_number.empty()) return make_error(ApiError::invalid, "id_number: the holder's, in full");
  if (clerk.empty()) return make_error(ApiError::invalid, "clerk: who hands the card over");
  const std::string& id = call.params.at("application_id");
  auto status = context.store->status(id);
  if (!status) return status.error();
  if (call.caller.role == "branch" && !of_branch(*status, call.caller.branch))
    return make_error(ApiError::forbidden, "application " + id + " is not a card of this branch");
  auto fulfilment = fulfilment_for(context, call);
  if (!fulfilment) return fulfilment.error();
  if (auto s = fulfilment->collect(id, id_number, clerk); !s) return s.error();
  return json_body(200, {{"application_id", id}, {"state", "COLLECTED"}});
}

}  // namespace

void add_branch_routes(Router& router, const ApiContext& context) {
  router.add({"POST",
              "/api/v1/branches/{code}/receipts",
              {"branch"},
              "The branch received cards: {\"applications\": [ids], \"clerk\"}; each DISPATCHED "
              "card becomes READY_FOR_PICKUP, the outcome of each",
              [context](const Call& call) { return receive(context, call); }});
  router.add({"GET",
              "/api/v1/branches/{code}/pickups",
              {"branch"},
              "Cards waiting at the branch, by id from `cursor`; `q` finds a holder by full name "
              "or the ID number's last 4+ characters and shows name and masked ID number",
              [context](const Call& call) { return pickups(context, call); }});
  router.add({"POST",
              "/api/v1/pickups/{application_id}/collect",
              {"branch"},
              "Hand-over: {\"id_number\" (the holder's, in full), \"clerk\"}; 409 and audited "
              "when the ID number is not the holder's",
              [context](const Call& call) { return collect(context, call); }});
}

}  // namespace cardd::server::api
