// The persistent store of cardd: applications, their state history, the
// outbox of status changes to report, the hash-chained audit log and the
// intake cursors — one SQLite file in WAL mode.
//
// Every state change is one transaction that writes the new state, a history
// event, an audit entry and an outbox message together; nothing is ever half
// written. Personal data (names, ID numbers, phone numbers, addresses,
// images, the prepared card and its PAN) passes through the injected Sealer
// on the way in and out and is never in the file in the clear; lookups use
// keyed hashes. SQLite's secure_delete keeps replaced values out of free
// pages.
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
#include "cardd/db/records.h"
#include "cardd/db/sealer.h"
#include "cardd/db/state.h"

namespace cardd::db {

struct StoreOptions {
  // FULL: a committed batch survives power loss. NORMAL is faster and still
  // safe against a process crash.
  bool synchronous_full = true;
  int busy_timeout_ms = 5000;
  // Commands that take work in create a missing database; the others get
  // no_database, so a mistyped path is not a new empty database.
  bool create_if_missing = false;
  // Seals and opens personal data; not owned, must outlive the Store. Without
  // one the store still answers about states, stock, outbox and audit, but
  // storing or reading personal data fails with no_sealer, and a database
  // from before sealing (personal data in the clear) cannot be opened.
  Sealer* sealer = nullptr;
};

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
  std::optional<ApplicationDetails> details;  // nullopt for a rejected application
  std::vector<RejectionReason> rejection;     // empty unless rejected
  std::vector<HistoryEvent> history;
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

struct AuditReport {
  std::int64_t entries = 0;
  bool intact = true;
  std::int64_t first_broken_seq = 0;  // 0 when intact
};

class Store {
 public:
  // Opens the file (creating it, mode 0600, when missing and
  // options.create_if_missing) and migrates the schema to the latest version
  // under an exclusive lock, so processes opening a new file at once do not
  // race. A database from before sealing has its personal data sealed by the
  // migration (which needs options.sealer). Errors: no_database,
  // open_failed, migration_failed, no_sealer, io, corrupt, and the sealer's.
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
  // The holder's personal data, opened. Every read is audited first
  // ("personal.read": who, which application, why).
  Result<PersonalData> sensitive(std::string_view application_id, std::string_view actor,
                                 std::string_view purpose);
  // Valid applications whose holder has this ID number or this full name,
  // found through their keyed hashes (nothing is opened or audited).
  Result<std::vector<std::string>> find_by_id_number(std::string_view id_number);
  Result<std::vector<std::string>> find_by_name(std::string_view name);
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
  // The prepared card, opened; audited like sensitive().
  Result<std::optional<PreparedRecord>> prepared(std::string_view application_id,
                                                 std::string_view actor, std::string_view purpose);

  // Appends one entry to the audit log (its own transaction).
  Status audit(std::string_view actor, std::string_view action, std::string_view subject,
               std::string_view detail);
  // Recomputes the hash chain from the first entry.
  Result<AuditReport> verify_audit_chain();
  // PRAGMA quick_check: "ok", or what SQLite found wrong.
  Result<std::string> quick_check();

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
