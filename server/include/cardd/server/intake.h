// Intake: turns JSON documents (from a batch file, the bureau pull or the
// API) into stored applications — VALIDATED, or REJECTED with every reason.
// A bad document never stops the rest of its batch.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/store.h"
#include "cardd/personalization/validator.h"

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
  std::vector<personalization::FieldError> errors;
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

// Not thread-safe (owns a validator); use one per thread. The Store may be
// shared.
class Intake {
 public:
  explicit Intake(db::Store& store, personalization::ValidatorOptions options = {});

  // Validates every document and stores the batch in one transaction. An
  // error means nothing of this batch was stored.
  Result<std::vector<IntakeItem>> ingest(std::span<const std::string_view> documents,
                                         const IntakeSource& source);

 private:
  db::Store& store_;
  personalization::ApplicationValidator validator_;
};

}  // namespace cardd::server
