// Intake: turns JSON documents (from a batch file, the bureau pull or the
// API) into stored applications — VALIDATED, or REJECTED with every reason.
// A bad document never stops the rest of its batch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/application_repository.h"
#include "cardd/intake/validator.h"

namespace cardd::server {

enum class IntakeOutcome {
  validated,
  rejected,
  duplicate,     // already stored with the same content
  conflict,      // already stored with other content: kept out
  unidentified,  // no usable application_id (e.g. not JSON): audited only
};
std::string_view to_string(IntakeOutcome o);

struct IntakeItem {
  std::string application_id;  // as sent; may be empty or invalid
  IntakeOutcome outcome = IntakeOutcome::validated;
  std::vector<intake::FieldError> errors;
};

struct IntakeSummary {
  std::int64_t validated = 0;
  std::int64_t rejected = 0;
  std::int64_t duplicate = 0;
  std::int64_t conflict = 0;
  std::int64_t unidentified = 0;

  std::int64_t total() const { return validated + rejected + duplicate + conflict + unidentified; }
  void add(IntakeOutcome o);
  void add(const IntakeSummary& other);
  std::string describe() const;  // one line for operators
};

struct IntakeSource {
  std::string name;   // "file:<name>", "bureau", "api"
  std::string actor;  // who, for the audit log
  // Advance this intake cursor in the same transaction (bureau pull).
  std::optional<std::string> cursor_source;
  std::string cursor_value;
};

// A validated batch, not yet stored: what prepare() hands to store().
struct PreparedBatch {
  std::vector<IntakeItem> items;                // one per document, in order
  std::vector<db::NewApplication> records;      // the storable ones
  std::vector<std::size_t> record_item;         // records[i] belongs to items[record_item[i]]
  std::vector<std::string> unidentified_notes;  // audit lines for the others
};

// Validation is CPU work and runs on several threads; storing is one
// transaction per batch. prepare() is thread-safe and may run while store()
// of an earlier batch runs (see IntakePipeline); store() calls are serialised
// by the Store.
class Intake {
 public:
  // validation_threads 0: one per hardware thread. options.region holds the
  // region's rules (districts, channels, collection, postal codes).
  explicit Intake(db::ApplicationRepository& store, intake::ValidatorOptions options,
                  unsigned validation_threads = 0);
  ~Intake();
  Intake(const Intake&) = delete;
  Intake& operator=(const Intake&) = delete;

  PreparedBatch prepare(std::span<const std::string_view> documents,
                        std::string_view source_name) const;
  // Stores the batch in one transaction. An error means nothing of it was
  // stored.
  Result<std::vector<IntakeItem>> store(PreparedBatch&& batch, const IntakeSource& source);

  // prepare() then store().
  Result<std::vector<IntakeItem>> ingest(std::span<const std::string_view> documents,
                                         const IntakeSource& source);

 private:
  class ValidatorPool;
  db::ApplicationRepository& store_;
  std::unique_ptr<ValidatorPool> validators_;
  unsigned threads_;
};

// Overlaps validating one batch with storing the one before it, for batch
// files and benchmarks. Not thread-safe.
class IntakePipeline {
 public:
  struct Stored {
    std::vector<IntakeItem> items;
    std::vector<std::int64_t> tags;  // what the caller pushed with the batch
  };

  IntakePipeline(Intake& intake, IntakeSource source);
  ~IntakePipeline();  // waits for validation still running
  IntakePipeline(const IntakePipeline&) = delete;
  IntakePipeline& operator=(const IntakePipeline&) = delete;

  // Starts validating `documents`, then stores the batch pushed before; returns
  // that one's outcome (nullopt on the first push).
  Result<std::optional<Stored>> push(std::vector<std::string> documents,
                                     std::vector<std::int64_t> tags = {});
  // Stores the last batch pushed.
  Result<std::optional<Stored>> finish();

 private:
  struct InFlight;
  Result<std::optional<Stored>> store(InFlight& flight);
  Intake& intake_;
  IntakeSource source_;
  std::unique_ptr<InFlight> in_flight_;
};

}  // namespace cardd::server
