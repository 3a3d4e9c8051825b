#include "cardd/server/intake.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cardd/common/pii.h"

namespace cardd::server {
namespace {

using intake::Application;
using intake::FieldError;

nlohmann::json errors_json(const std::vector<FieldError>& errors) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : errors)
    out.push_back({{"field", e.field}, {"code", e.code}, {"message", e.message}});
  return out;
}

// What is kept in the clear; the holder's name, ID number, phones,
// addresses and images go to the store's sealer.
db::ApplicationDetails details(const Application& a) {
  db::ApplicationDetails d;
  d.channel = to_string(a.channel);
  d.submitted_at = a.submitted_at;
  d.id_type = to_string(a.id_type);
  d.id_valid_from = a.id_valid_from.to_iso();
  d.id_valid_to = a.id_valid_long_term ? "长期" : (a.id_valid_to ? a.id_valid_to->to_iso() : "");
  d.female = a.gender == intake::Gender::female;
  d.birth_date = a.birth_date;
  d.nationality = a.nationality;
  d.ethnicity = a.ethnicity;
  d.occupation = a.occupation;
  d.residence_district = a.residence_district;
  d.issuing_bank = a.issuing_bank;
  d.issuing_branch = a.issuing_branch;
  d.pension_bank = a.pension_bank;
  d.pension_branch = a.pension_branch;
  d.first_application = a.first_application;
  d.collection = a.collection;
  if (a.recipient) {
    d.recipient_district = a.recipient->district;
    d.recipient_postal_code = a.recipient->postal_code;
  }
  return d;
}

db::NewApplication to_record(intake::ValidationResult&& v) {
  db::NewApplication r;
  r.application_id = v.application_id;
  r.content_hash = std::move(v.content_hash);
  if (!v.application) {
    r.rejection = errors_json(v.errors).dump();
    return r;
  }
  Application& a = *v.application;
  r.details = details(a);
  db::PersonalData& p = r.personal;
  p.name = std::move(a.name);
  p.id_number = a.id_number.str();
  p.mobile = std::move(a.mobile);
  p.residence_address = std::move(a.residence_address);
  if (a.recipient) {
    p.recipient_name = std::move(a.recipient->name);
    p.recipient_mobile = std::move(a.recipient->mobile);
    p.recipient_address = std::move(a.recipient->address);
  }
  p.photo = std::move(a.photo);
  p.id_front = std::move(a.id_front);
  p.id_back = std::move(a.id_back);
  return r;
}

bool has_usable_id(const intake::ValidationResult& v) {
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

// Validators keep parse buffers between documents, so they are reused; each
// thread borrows one for a chunk of a batch.
class Intake::ValidatorPool {
 public:
  explicit ValidatorPool(intake::ValidatorOptions options) : options_(std::move(options)) {}

  std::unique_ptr<intake::ApplicationValidator> take() {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return std::make_unique<intake::ApplicationValidator>(options_);
    auto v = std::move(idle_.back());
    idle_.pop_back();
    return v;
  }
  void give_back(std::unique_ptr<intake::ApplicationValidator> v) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(v));
  }

 private:
  intake::ValidatorOptions options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<intake::ApplicationValidator>> idle_;
};

Intake::Intake(db::ApplicationRepository& store, intake::ValidatorOptions options,
               unsigned validation_threads)
    : store_(store),
      validators_(std::make_unique<ValidatorPool>(std::move(options))),
      threads_(validation_threads != 0 ? validation_threads
                                       : std::max(1u, std::thread::hardware_concurrency())) {}

Intake::~Intake() = default;

PreparedBatch Intake::prepare(std::span<const std::string_view> documents,
                              std::string_view source_name) const {
  std::vector<intake::ValidationResult> results(documents.size());
  auto validate_range = [&](std::size_t from, std::size_t to) {
    auto validator = validators_->take();
    for (std::size_t i = from; i < to; ++i) results[i] = validator->validate(documents[i]);
    validators_->give_back(std::move(validator));
  };
  // Threads only pay off for more than a handful of documents.
  constexpr std::size_t kMinPerThread = 16;
  const std::size_t chunks = std::clamp<std::size_t>(documents.size() / kMinPerThread, 1, threads_);
  const std::size_t per_chunk = (documents.size() + chunks - 1) / chunks;
  {
    std::vector<std::jthread> helpers;
    for (std::size_t c = 1; c < chunks; ++c)
      helpers.emplace_back(validate_range, c * per_chunk,
                           std::min(documents.size(), (c + 1) * per_chunk));
    validate_range(0, std::min(documents.size(), per_chunk));
  }

  PreparedBatch batch;
  batch.items.resize(documents.size());
  batch.records.reserve(documents.size());
  for (std::size_t i = 0; i < documents.size(); ++i) {
    auto& result = results[i];
    IntakeItem& item = batch.items[i];
    item.application_id = result.application_id;
    item.errors = result.errors;
    if (!has_usable_id(result)) {
      item.outcome = IntakeOutcome::unidentified;
      batch.unidentified_notes.push_back(
          fmt::format("{} document #{}: {}", source_name, i + 1, codes(result.errors)));
      continue;
    }
    batch.record_item.push_back(i);
    batch.records.push_back(to_record(std::move(result)));
  }
  return batch;
}

Result<std::vector<IntakeItem>> Intake::store(PreparedBatch&& prepared,
                                              const IntakeSource& source) {
  db::IngestBatch batch{prepared.records,    source.name,
                        source.actor,        source.cursor_source,
                        source.cursor_value, std::move(prepared.unidentified_notes)};
  auto outcomes = store_.ingest(batch);
  if (!outcomes) return outcomes.error();
  std::vector<IntakeItem>& items = prepared.items;
  for (std::size_t r = 0; r < outcomes->size(); ++r) {
    IntakeItem& item = items[prepared.record_item[r]];
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
  return std::move(items);
}

Result<std::vector<IntakeItem>> Intake::ingest(std::span<const std::string_view> documents,
                                               const IntakeSource& source) {
  return store(prepare(documents, source.name), source);
}

struct IntakePipeline::InFlight {
  std::vector<std::string> documents;  // kept alive while validation reads them
  std::vector<std::int64_t> tags;
  std::future<PreparedBatch> prepared;
};

IntakePipeline::IntakePipeline(Intake& intake, IntakeSource source)
    : intake_(intake), source_(std::move(source)) {}

IntakePipeline::~IntakePipeline() {
  if (in_flight_ && in_flight_->prepared.valid()) in_flight_->prepared.wait();
}

Result<std::optional<IntakePipeline::Stored>> IntakePipeline::push(
    std::vector<std::string> documents, std::vector<std::int64_t> tags) {
  std::unique_ptr<InFlight> previous = std::move(in_flight_);
  in_flight_ = std::make_unique<InFlight>();
  in_flight_->documents = std::move(documents);
  in_flight_->tags = std::move(tags);
  in_flight_->prepared = std::async(std::launch::async, [this, flight = in_flight_.get()] {
    const std::vector<std::string_view> views(flight->documents.begin(), flight->documents.end());
    return intake_.prepare(views, source_.name);
  });
  if (!previous) return std::optional<Stored>();
  return store(*previous);
}

Result<std::optional<IntakePipeline::Stored>> IntakePipeline::finish() {
  if (!in_flight_) return std::optional<Stored>();
  auto stored = store(*in_flight_);
  in_flight_.reset();
  return stored;
}

Result<std::optional<IntakePipeline::Stored>> IntakePipeline::store(InFlight& flight) {
  auto items = intake_.store(flight.prepared.get(), source_);
  if (!items) return items.error();
  return std::optional<Stored>(Stored{std::move(*items), std::move(flight.tags)});
}

}  // namespace cardd::server
