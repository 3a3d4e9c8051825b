// The persistent store of cardd: applications, their state history, the
// outbox of status changes to report, the hash-chained audit log and the
// intake cursors — one SQLite file in WAL mode.
//
// Every state change is one transaction that writes the new state, a history
// event, an audit entry and an outbox message together; nothing is ever half
// written. ID numbers, phone numbers and images are sealed by one codec on the
// way in and unsealed on the way out.
//
// Thread safety: a Store may be shared between threads; calls are serialised
// by an internal mutex. Several processes may open the same file (SQLite
// locking; a writer waits up to `busy_timeout_ms`).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/error.h"
#include "cardd/db/state.h"

namespace cardd::db {

struct StoreOptions {
  // FULL: a committed batch survives power loss. NORMAL is faster and still
  // safe against a process crash.
  bool synchronous_full = true;
  int busy_timeout_ms = 5000;
};

// An application as intake hands it over: valid (no rejection) or rejected.
struct NewApplication {
  std::string application_id;
  std::string content_hash;  // identity of the content, for idempotency
  CollectionMethod collection = CollectionMethod::unknown;
  std::string public_data;  // JSON object of the fields that are not sealed
  // JSON array of {field, code, message}; set exactly for a rejection.
  std::optional<std::string> rejection;
  std::string id_number;  // sealed by the store
  std::string mobile;
  std::string recipient_mobile;
  std::string photo;
  std::string id_front;
  std::string id_back;
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
  std::string public_data;  // JSON
  std::string rejection;    // JSON array, empty unless rejected
  std::vector<HistoryEvent> history;
};

// The sensitive fields, unsealed. Callers must not log them.
struct SensitiveData {
  std::string id_number;
  std::string mobile;
  std::string recipient_mobile;
  std::string photo;
  std::string id_front;
  std::string id_back;
};

struct OutboxMessage {
  std::int64_t seq = 0;
  std::string application_id;
  std::string event_id;
  std::string payload;  // JSON
  std::int64_t attempts = 0;
};

// A lot of blank cards as received from the card vendor: consecutive IC
// serial numbers. `chip_prefix` (CPLC IC fabricator + IC type, 8 hex digits)
// narrows the lot to one chip family; empty accepts any.
struct CardLot {
  std::string lot;
  std::string chip_prefix;
  std::uint32_t first_serial = 0;
  std::int64_t count = 0;
};

struct StockLine {
  std::string lot;
  std::string chip_prefix;
  std::uint32_t first_serial = 0;
  std::int64_t received = 0;
  std::int64_t used = 0;  // encoded cards
  std::int64_t spoiled = 0;
  std::int64_t in_progress = 0;  // claimed by a session that has not finished
  std::int64_t left = 0;         // received - used - spoiled - in_progress
};

enum class CardState { encoding, encoded, spoiled };
std::string_view to_string(CardState s);

struct CardRecord {
  std::string chip_id;
  std::string lot;
  std::string application_id;
  CardState state = CardState::encoding;
  std::string reason;  // spoil reason
};

// Data preparation's result for one application; `data` is the prepared
// card (JSON), sealed at rest like every other personal field.
struct PreparedRecord {
  std::string profile;
  std::string card_number;
  std::string pan;
  std::string data;
};

struct AuditReport {
  std::int64_t entries = 0;
  bool intact = true;
  std::int64_t first_broken_seq = 0;  // 0 when intact
};

class Store {
 public:
  // Creates the file when missing (mode 0600: it holds personal data) and
  // migrates the schema to the latest version. Errors: open_failed,
  // migration_failed, io, corrupt.
  static Result<std::unique_ptr<Store>> open(const std::string& path, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Stores a batch in one transaction; per application the outcome, in order.
  // Nothing of the batch is stored when an error is returned.
  Result<std::vector<IngestOutcome>> ingest(const IngestBatch& batch);

  // Moves an application to `to` when the state machine allows it
  // (illegal_transition otherwise, not_found for an unknown id).
  Status transition(std::string_view application_id, AppState to, std::string_view actor,
                    std::string_view reason);

  Result<ApplicationStatus> status(std::string_view application_id);
  Result<SensitiveData> sensitive(std::string_view application_id);
  Result<std::optional<std::string>> cursor(std::string_view source);
  Result<std::map<AppState, std::int64_t>> count_by_state();
  Result<std::vector<OutboxMessage>> pending_outbox(std::int64_t limit);
  Result<std::int64_t> outbox_backlog();

  // --- blank-card stock and cards ------------------------------------------
  // conflict when the lot exists or overlaps another lot's serials.
  Status add_lot(const CardLot& lot, std::string_view actor);
  Result<std::vector<StockLine>> stock();
  // Binds a blank chip to an application: PREPARED → ENCODING and the card
  // ENCODING, in one transaction. not_in_stock, card_used, illegal_transition.
  Status claim_card(std::string_view application_id, std::string_view chip_id,
                    std::string_view actor);
  // ENCODING → ENCODED; the card counts as used.
  Status finish_card(std::string_view application_id, std::string_view chip_id,
                     std::string_view actor);
  // The card is SPOILED with `reason`; the application goes back to QUEUED.
  Status spoil_card(std::string_view application_id, std::string_view chip_id,
                    std::string_view reason, std::string_view actor);
  Result<std::vector<CardRecord>> cards_of(std::string_view application_id);

  // --- data preparation -----------------------------------------------------
  // The next number of the named counter in [first, last], never handed out
  // twice (exhausted when the range is used up).
  Result<std::int64_t> allocate(std::string_view counter, std::int64_t first, std::int64_t last);
  // Stores the prepared card and moves QUEUED → PREPARED in one transaction.
  // A re-queued application keeps its first record (same numbers).
  Status save_prepared(std::string_view application_id, const PreparedRecord& record,
                       std::string_view actor);
  Result<std::optional<PreparedRecord>> prepared(std::string_view application_id);

  // Appends one entry to the audit log (its own transaction).
  Status audit(std::string_view actor, std::string_view action, std::string_view subject,
               std::string_view detail);
  // Recomputes the hash chain from the first entry.
  Result<AuditReport> verify_audit_chain();

  int schema_version() const;

  struct Impl;
  // Only open() can make the key, so only open() constructs a Store.
  class Key {
    friend class Store;
    Key() = default;
  };
  Store(Key, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardd::db
