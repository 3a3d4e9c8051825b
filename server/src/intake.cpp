#include "cardd/server/intake.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "cardd/common/pii.h"

namespace cardd::server {
namespace {

using personalization::Application;
using personalization::FieldError;

nlohmann::json errors_json(const std::vector<FieldError>& errors) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : errors)
    out.push_back({{"field", e.field}, {"code", e.code}, {"message", e.message}});
  return out;
}

// The fields kept in the clear; ID number, phones and images are sealed.
std::string public_data(const Application& a) {
  nlohmann::json j = {
      {"channel", to_string(a.channel)},
      {"submitted_at", a.submitted_at},
      {"name", a.name},
      {"id_type", to_string(a.id_type)},
      {"id_valid_from", a.id_valid_from.to_iso()},
      {"id_valid_to",
       a.id_valid_long_term ? "长期" : (a.id_valid_to ? a.id_valid_to->to_iso() : "")},
      {"gender", to_string(a.gender)},
      {"birth_date", a.birth_date.to_iso()},
      {"nationality", a.nationality},
      {"ethnicity", a.ethnicity},
      {"occupation", a.occupation},
      {"residence_district", a.residence_district},
      {"residence_address", a.residence_address},
      {"issuing_bank", a.issuing_bank},
      {"issuing_branch", a.issuing_branch},
      {"pension_bank", a.pension_bank},
      {"pension_branch", a.pension_branch},
      {"first_application", a.first_application},
      {"collection", to_string(a.collection)},
  };
  if (a.recipient) {
    j["recipient"] = {{"name", a.recipient->name},
                      {"district", a.recipient->district},
                      {"postal_code", a.recipient->postal_code},
                      {"address", a.recipient->address}};
  }
  return j.dump();
}

db::NewApplication to_record(personalization::ValidationResult&& v) {
  db::NewApplication r;
  r.application_id = v.application_id;
  r.content_hash = std::move(v.content_hash);
  if (!v.application) {
    r.rejection = errors_json(v.errors).dump();
    return r;
  }
  Application& a = *v.application;
  r.collection = a.collection == personalization::Collection::mail ? db::CollectionMethod::mail
                                                                   : db::CollectionMethod::branch;
  r.public_data = public_data(a);
  r.id_number = a.id_number.str();
  r.mobile = std::move(a.mobile);
  if (a.recipient) r.recipient_mobile = std::move(a.recipient->mobile);
  r.photo = std::move(a.photo);
  r.id_front = std::move(a.id_front);
  r.id_back = std::move(a.id_back);
  return r;
}

bool has_usable_id(const personalization::ValidationResult& v) {
  if (v.application_id.empty()) return false;
  for (const auto& e : v.errors)
    if (e.field == "application_id") return false;
  return true;
}

std::string codes(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += ',';
    out += e.code;
  }
  return out;
}

}  // namespace

std::string_view to_string(IntakeOutcome o) {
  switch (o) {
    case IntakeOutcome::validated:
      return "validated";
    case IntakeOutcome::rejected:
      return "rejected";
    case IntakeOutcome::duplicate:
      return "duplicate";
    case IntakeOutcome::conflict:
      return "conflict";
    case IntakeOutcome::unidentified:
      return "unidentified";
  }
  return "?";
}

void IntakeSummary::add(IntakeOutcome o) {
  switch (o) {
    case IntakeOutcome::validated:
      ++validated;
      break;
    case IntakeOutcome::rejected:
      ++rejected;
      break;
    case IntakeOutcome::duplicate:
      ++duplicate;
      break;
    case IntakeOutcome::conflict:
      ++conflict;
      break;
    case IntakeOutcome::unidentified:
      ++unidentified;
      break;
  }
}

void IntakeSummary::add(const IntakeSummary& o) {
  validated += o.validated;
  rejected += o.rejected;
  duplicate += o.duplicate;
  conflict += o.conflict;
  unidentified += o.unidentified;
}

std::string IntakeSummary::describe() const {
  return fmt::format(
      "{} applications: {} validated, {} rejected, {} duplicate, {} conflict, {} unidentified",
      total(), validated, rejected, duplicate, conflict, unidentified);
}

Intake::Intake(db::Store& store, personalization::ValidatorOptions options)
    : store_(store), validator_(std::move(options)) {}

Result<std::vector<IntakeItem>> Intake::ingest(std::span<const std::string_view> documents,
                                               const IntakeSource& source) {
  std::vector<IntakeItem> items(documents.size());
  std::vector<db::NewApplication> records;
  std::vector<std::size_t> record_item;  // records[i] belongs to items[record_item[i]]
  std::vector<std::string> unidentified;
  records.reserve(documents.size());
  for (std::size_t i = 0; i < documents.size(); ++i) {
    auto result = validator_.validate(documents[i]);
    IntakeItem& item = items[i];
    item.application_id = result.application_id;
    item.errors = result.errors;
    if (!has_usable_id(result)) {
      item.outcome = IntakeOutcome::unidentified;
      unidentified.push_back(
          fmt::format("{} document #{}: {}", source.name, i + 1, codes(result.errors)));
      continue;
    }
    record_item.push_back(i);
    records.push_back(to_record(std::move(result)));
  }
  db::IngestBatch batch{
      records, source.name, source.actor, source.cursor_source, source.cursor_value, unidentified};
  auto outcomes = store_.ingest(batch);
  if (!outcomes) return outcomes.error();
  for (std::size_t r = 0; r < outcomes->size(); ++r) {
    IntakeItem& item = items[record_item[r]];
    switch ((*outcomes)[r]) {
      case db::IngestOutcome::validated:
        item.outcome = IntakeOutcome::validated;
        break;
      case db::IngestOutcome::rejected:
        item.outcome = IntakeOutcome::rejected;
        spdlog::info("intake: application {} rejected: {}", item.application_id,
                     codes(item.errors));
        break;
      case db::IngestOutcome::duplicate:
        item.outcome = IntakeOutcome::duplicate;
        break;
      case db::IngestOutcome::conflict:
        item.outcome = IntakeOutcome::conflict;
        spdlog::warn("intake: application {} re-sent with different content; kept out",
                     item.application_id);
        break;
    }
  }
  return items;
}

}  // namespace cardd::server
