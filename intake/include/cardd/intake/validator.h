// Parses and validates one application (one JSON object) against every rule
// of spec/application.md. All problems are reported together; malformed JSON,
// invalid UTF-8, wrong types and unknown enum values are problems like any
// other, never exceptions.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/civil_time.h"
#include "cardd/intake/application.h"
#include "cardd/intake/region_rules.h"

namespace cardd::intake {

struct ValidationResult {
  // The application_id as sent when it was a JSON string (even an invalid
  // one), so a rejection can be reported; empty when there was none.
  std::string application_id;
  // Hex SHA-256 of the document with insignificant white space removed: the
  // identity of its content, for idempotent re-sends.
  std::string content_hash;
  // Set exactly when `errors` is empty.
  std::optional<Application> application;
  std::vector<FieldError> errors;

  bool valid() const { return errors.empty(); }
};

struct ValidatorOptions {
  // What "now" is, for "not in the future" rules; injectable for tests.
  std::function<UnixSeconds()> clock = unix_now;
  // Tolerance for the bureau's clock running ahead of ours.
  UnixSeconds clock_skew_seconds = 300;
  // Larger documents are refused with code json.too_large.
  std::size_t max_document_bytes = 32u * 1024u * 1024u;
  // Districts, channels, collection and postal rules and civil time of the
  // region the applications come from. Empty rules accept no district.
  RegionRules region;
};

// Not thread-safe (it reuses its parse buffers): use one per worker thread.
class ApplicationValidator {
 public:
  explicit ApplicationValidator(ValidatorOptions options = {});
  ~ApplicationValidator();
  ApplicationValidator(const ApplicationValidator&) = delete;
  ApplicationValidator& operator=(const ApplicationValidator&) = delete;

  ValidationResult validate(std::string_view json);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Photo limits from the spec.
inline constexpr std::size_t kPhotoMinBytes = 20u * 1024u;
inline constexpr std::size_t kImageMaxBytes = 8u * 1024u * 1024u + 768u * 1024u;  // 8.75 MiB
inline constexpr unsigned kPhotoWidth = 358;
inline constexpr unsigned kPhotoHeight = 441;

}  // namespace cardd::intake
