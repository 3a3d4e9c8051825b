// Applications, their state history, the intake cursors and lookups: the
// part of the store that intake, data preparation and the status API use.
//
// Every state change is one transaction that writes the new state, a history
// event, an audit entry and an outbox message together; nothing is ever half
// written. Personal data passes through the store's Sealer on the way in and
// out and is never stored in the clear; lookups use keyed hashes. Without a
// sealer, storing or reading personal data fails with no_sealer.
//
// Thread safety: an implementation may be shared between threads (the SQLite
// one serialises calls by an internal mutex) and several processes may use
// the same database.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/error.h"
#include "cardd/db/records.h"
#include "cardd/db/state.h"

namespace cardd::db {

// An application as intake hands it over: valid (no rejection) or rejected.
struct NewApplication {
  std::string application_id;
  std::string content_hash;  // identity of the content, for idempotency
  // JSON array of {field, code, message}; set exactly for a rejection, and
  // then nothing else is stored.
  std::optional<std::string> rejection;
  ApplicationDetails details;
  PersonalData personal;  // sealed by the store
};

enum class IngestOutcome {
  validated,  // stored, RECEIVED → VALIDATED
  rejected,   // stored, RECEIVED → REJECTED
  duplicate,  // same id and content already stored: nothing changed
  conflict,   // same id, other content: kept out, audited
};
std::string_view to_string(IngestOutcome o);

struct IngestBatch {
  std::span<const NewApplication> applications;
  std::string source;  // "file:<name>", "bureau", "api"
  std::string actor;
  // When set, the intake cursor of `cursor_source` becomes `cursor_value` in
  // the same transaction, so a pull that crashes resumes without gaps.
  std::optional<std::string> cursor_source;
  std::string cursor_value;
  // Documents that could not be stored (no usable id): one audit entry each.
  std::vector<std::string> unidentified;
};

struct HistoryEvent {
  std::int64_t seq = 0;
  std::optional<AppState> from;
  AppState to = AppState::received;
  std::string at;
  std::string actor;
  std::string reason;
};

struct ApplicationStatus {
  std::string application_id;
  AppState state = AppState::received;
  CollectionMethod collection = CollectionMethod::unknown;
  std::string created_at;
  std::string updated_at;
  std::string card_number;                    // once prepared (not sealed: not personal)
  std::optional<ApplicationDetails> details;  // nullopt for a rejected application
  std::vector<RejectionReason> rejection;     // empty unless rejected
  std::vector<HistoryEvent> history;
};

// One line of a list of applications: nothing personal.
struct ApplicationSummary {
  std::string application_id;
  AppState state = AppState::received;
  CollectionMethod collection = CollectionMethod::unknown;
  std::string updated_at;
};

// Retention: which images go. Applications DELIVERED or COLLECTED (their
// current state) at or before `before` (RFC 3339 UTC) that still hold a photo or
// an ID-card image; at most `limit`, by id. `dry_run`: only say which.
struct PurgeRequest {
  std::string before;
  std::string actor;
  std::int64_t limit = 1000;
  bool dry_run = false;
};

class ApplicationRepository {
 public:
  virtual ~ApplicationRepository() = default;

  // Stores a batch in one transaction; per application the outcome, in order.
  // Nothing of the batch is stored when an error is returned.
  virtual Result<std::vector<IngestOutcome>> ingest(const IngestBatch& batch) = 0;

  // Moves an application to `to` when the state machine allows it
  // (illegal_transition otherwise, not_found for an unknown id).
  virtual Status transition(std::string_view application_id, AppState to, std::string_view actor,
                            std::string_view reason) = 0;

  // not_found for an unknown id.
  virtual Result<ApplicationStatus> status(std::string_view application_id) = 0;
  // The holder's personal data, opened. Every read is audited first
  // ("personal.read": who, which application, why).
  virtual Result<PersonalData> sensitive(std::string_view application_id, std::string_view actor,
                                         std::string_view purpose) = 0;
  // Valid applications whose holder has this ID number or this full name,
  // found through their keyed hashes (nothing is opened or audited).
  virtual Result<std::vector<std::string>> find_by_id_number(std::string_view id_number) = 0;
  virtual Result<std::vector<std::string>> find_by_name(std::string_view name) = 0;
  // Applications an operator finds by what a caller may know: the id itself,
  // the card number prepared for it, or an ID number's last characters (its
  // last kIdTailLength, through their keyed hash: a longer tail is the
  // caller's to check). At most `limit`, by id; nothing is opened or audited.
  virtual Result<std::vector<std::string>> search(std::string_view text, std::int64_t limit) = 0;
  // How many applications entered `state` in each hour since `since` (RFC
  // 3339 UTC), by hour ("2026-12-01T14"), hours without any left out.
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> entered_per_hour(
      AppState state, std::string_view since) = 0;
  // The photo and ID-card images of what `request` selects are deleted, their
  // bytes overwritten in the file, each audited ("retention.purged"); the
  // application, its history and its card stay. The ids purged (or, on a dry
  // run, those that would be).
  virtual Result<std::vector<std::string>> purge_images(const PurgeRequest& request) = 0;
  // Where the intake of `source` resumes; nullopt before its first batch.
  virtual Result<std::optional<std::string>> cursor(std::string_view source) = 0;
  virtual Result<std::map<AppState, std::int64_t>> count_by_state() = 0;
  // How many applications ever reached each state (from their history): a
  // delivered card counts as shipped too.
  virtual Result<std::map<AppState, std::int64_t>> count_reached() = 0;
  // Applications in `state` whose id sorts after `after_id` (empty: from
  // the first), at most `limit`, by id: a stable cursor for paging.
  virtual Result<std::vector<ApplicationSummary>> applications_in_state(AppState state,
                                                                        std::string_view after_id,
                                                                        std::int64_t limit) = 0;
  // Applications waiting for a card (VALIDATED, QUEUED, PREPARED, or
  // ENCODING when a session was interrupted), the earliest submitted first:
  // the production lines' queue.
  virtual Result<std::vector<std::string>> to_produce(std::int64_t limit) = 0;

 protected:
  ApplicationRepository() = default;
  ApplicationRepository(const ApplicationRepository&) = default;
  ApplicationRepository& operator=(const ApplicationRepository&) = default;
};

}  // namespace cardd::db
