// GET /metrics in Prometheus' text format: what the store, the lines and the
// HSM say at scrape time, then the latencies and counts recorded as work
// happens (APDUs, prints, status pushes, HTTP requests).
#include "cardd/common/metrics.h"

#include <map>

#include "cardd/server/production_lines.h"
#include "routes.h"

namespace cardd::server::api {
namespace {

using metrics::Labels;
using Samples = std::vector<std::pair<Labels, double>>;

Result<std::string> store_families(db::Store& store) {
  std::string out;
  auto states = store.count_by_state();
  if (!states) return states.error();
  Samples by_state;
  // Every state, zero included, so a rate never sees a series vanish.
  for (int s = 0; s <= static_cast<int>(db::AppState::collected); ++s) {
    const auto state = static_cast<db::AppState>(s);
    const auto it = states->find(state);
    by_state.push_back({{{"state", std::string(db::to_string(state))}},
                        it == states->end() ? 0.0 : static_cast<double>(it->second)});
  }
  out += metrics::render_family("cardd_applications", "gauge", "Applications by state", by_state);
  auto reached = store.count_reached();
  if (!reached) return reached.error();
  const auto issued = reached->find(db::AppState::qc_passed);
  out += metrics::render_family(
      "cardd_cards_issued_total", "counter", "Cards that passed quality control",
      {{{}, issued == reached->end() ? 0.0 : static_cast<double>(issued->second)}});
  auto spoiled = store.spoiled_by_reason();
  if (!spoiled) return spoiled.error();
  Samples by_reason;
  for (const auto& [reason, n] : *spoiled)
    by_reason.push_back({{{"reason", reason}}, static_cast<double>(n)});
  out += metrics::render_family("cardd_cards_spoiled_total", "counter", "Spoiled cards by reason",
                                by_reason);
  auto stock = store.stock();
  if (!stock) return stock.error();
  Samples left;
  for (const auto& lot : *stock)
    left.push_back({{{"lot", lot.lot}}, static_cast<double>(lot.left)});
  out += metrics::render_family("cardd_blank_cards_left", "gauge",
                                "Blank cards not used yet, by lot (the stock behind the hoppers)",
                                left);
  auto backlog = store.outbox_backlog();
  if (!backlog) return backlog.error();
  out += metrics::render_family("cardd_outbox_backlog", "gauge",
                                "Status changes not yet taken by the bureau",
                                {{{}, static_cast<double>(*backlog)}});
  return out;
}

std::string line_families(const ProductionLines& lines) {
  Samples paused, busy, made, spoiled;
  for (const SlotStatus& s : lines.status()) {
    const Labels labels = {{"line", s.line}, {"slot", s.slot}};
    paused.push_back({labels, s.paused ? 1.0 : 0.0});
    busy.push_back({labels, s.application.empty() ? 0.0 : 1.0});
    made.push_back({labels, static_cast<double>(s.made)});
    spoiled.push_back({labels, static_cast<double>(s.spoiled)});
  }
  return metrics::render_family("cardd_slot_paused", "gauge", "1 while the slot is paused",
                                paused) +
         metrics::render_family("cardd_slot_busy", "gauge", "1 while the slot holds a card", busy) +
         metrics::render_family("cardd_slot_cards_made_total", "counter",
                                "Cards that passed QC, by slot, since the daemon started", made) +
         metrics::render_family("cardd_slot_cards_spoiled_total", "counter",
                                "Cards spoiled, by slot, since the daemon started", spoiled);
}

std::string hsm_family(const hsm::Hsm& hsm) {
  std::map<std::string, double> by_usage;
  for (const auto& c : hsm.usage_counts())
    by_usage[std::string(hsm::to_string(c.usage))] += static_cast<double>(c.count);
  Samples samples;
  for (const auto& [usage, n] : by_usage) samples.push_back({{{"usage", usage}}, n});
  return metrics::render_family("cardd_hsm_operations_total", "counter",
                                "Key operations by the key usage they needed", samples);
}

}  // namespace

void add_metrics_routes(Router& router, const ApiContext& context) {
  router.add({"GET",
              "/metrics",
              {"operator"},
              "Prometheus text: applications, cards, spoilage, stock, outbox, slots, HSM, and "
              "APDU, print, push and HTTP latency histograms",
              [context](const Call&) -> Result<Response> {
                auto out = store_families(*context.store);
                if (!out) return out.error();
                if (context.lines != nullptr) *out += line_families(*context.lines);
                if (context.hsm != nullptr) *out += hsm_family(*context.hsm);
                *out += metrics::render();
                return Response{200, "text/plain; version=0.0.4; charset=utf-8", std::move(*out)};
              }});
}

}  // namespace cardd::server::api
