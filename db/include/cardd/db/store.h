// The SQLite store of cardd: one file in WAL mode that implements the
// repositories (applications, cards and stock, outbox, fulfilment, line
// controls, API tokens, audit); their contracts are in the interface headers. Callers that need one
// concern take that interface, so a second implementation (PostgreSQL) can stand in.
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
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/application_repository.h"
#include "cardd/db/audit_repository.h"
#include "cardd/db/audit_signer.h"
#include "cardd/db/card_repository.h"
#include "cardd/db/error.h"
#include "cardd/db/fulfilment_repository.h"
#include "cardd/db/line_control_repository.h"
#include "cardd/db/outbox_repository.h"
#include "cardd/db/records.h"
#include "cardd/db/sealer.h"
#include "cardd/db/state.h"
#include "cardd/db/token_repository.h"

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
  // MACs audit entries and the anchored head; not owned, must outlive the
  // Store. Without one the store reads as before, but every change that
  // writes an audit entry, and verify_audit_chain(), fail with
  // no_audit_signer, and a database whose audit log predates MACs cannot be
  // opened.
  AuditSigner* audit_signer = nullptr;
};

class Store final : public ApplicationRepository,
                    public CardRepository,
                    public OutboxRepository,
                    public FulfilmentRepository,
                    public LineControlRepository,
                    public TokenRepository,
                    public AuditRepository {
 public:
  // Opens the file (creating it, mode 0600, when missing and
  // options.create_if_missing) and migrates the schema to the latest version
  // under an exclusive lock, so processes opening a new file at once do not
  // race. A database from before sealing has its personal data sealed by the
  // migration (which needs options.sealer); one from before audit MACs has
  // its entries MACed (options.audit_signer). Errors: no_database,
  // open_failed, migration_failed, no_sealer, no_audit_signer, io, corrupt,
  // and the sealer's or signer's.
  static Result<std::unique_ptr<Store>> open(const std::string& path, StoreOptions options = {});
  // Another connection to the same file with the same sealer and signer:
  // reads there do not wait for this connection's lock (WAL readers run
  // beside the writer).
  Result<std::unique_ptr<Store>> open_again() const;
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // ApplicationRepository
  Result<std::vector<IngestOutcome>> ingest(const IngestBatch& batch) override;
  Status transition(std::string_view application_id, AppState to, std::string_view actor,
                    std::string_view reason) override;
  Result<ApplicationStatus> status(std::string_view application_id) override;
  Result<PersonalData> sensitive(std::string_view application_id, std::string_view actor,
                                 std::string_view purpose) override;
  Result<std::vector<std::string>> find_by_id_number(std::string_view id_number) override;
  Result<std::vector<std::string>> find_by_name(std::string_view name) override;
  Result<std::optional<std::string>> cursor(std::string_view source) override;
  Result<std::vector<std::string>> purge_images(const PurgeRequest& request) override;
  Result<std::vector<std::string>> search(std::string_view text, std::int64_t limit) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> entered_per_hour(
      AppState state, std::string_view since) override;
  Result<std::map<AppState, std::int64_t>> count_by_state() override;
  Result<std::map<AppState, std::int64_t>> count_reached() override;
  Result<std::vector<std::string>> to_produce(std::int64_t limit) override;
  Result<std::vector<ApplicationSummary>> applications_in_state(AppState state,
                                                                std::string_view after_id,
                                                                std::int64_t limit) override;

  // OutboxRepository
  Result<std::vector<OutboxMessage>> pending_outbox(std::int64_t limit) override;
  Result<std::vector<OutboxMessage>> outbox_after(std::int64_t after_seq,
                                                  std::int64_t limit) override;
  Result<std::int64_t> outbox_backlog() override;
  Result<std::int64_t> outbox_total() override;
  Status mark_sent(std::int64_t seq) override;
  Status mark_attempt_failed(std::int64_t seq) override;

  // CardRepository
  Status add_lot(const CardLot& lot, std::string_view actor) override;
  Result<std::vector<StockLine>> stock() override;
  Result<std::map<std::string, std::int64_t>> spoiled_by_reason() override;
  Status claim_card(std::string_view application_id, std::string_view chip_id,
                    std::string_view actor, std::string_view holder = {},
                    std::int64_t lease_seconds = 0) override;
  Status hold_claim(std::string_view application_id, std::string_view chip_id,
                    std::string_view holder, std::int64_t lease_seconds) override;
  Result<std::optional<CardClaim>> active_claim(std::string_view application_id) override;
  Status finish_card(std::string_view application_id, std::string_view chip_id,
                     std::string_view actor) override;
  Status spoil_card(std::string_view application_id, std::string_view chip_id,
                    std::string_view reason, std::string_view actor) override;
  Status spoil_card_retiring_numbers(std::string_view application_id, std::string_view chip_id,
                                     std::string_view reason, std::string_view actor) override;
  Result<std::vector<RetiredNumber>> retired_numbers() override;
  Result<std::vector<CardRecord>> cards_of(std::string_view application_id) override;
  Result<std::optional<CardRecord>> card(std::string_view chip_id) override;
  Result<std::int64_t> allocate(std::string_view counter, std::int64_t first,
                                std::int64_t last) override;
  Status save_prepared(std::string_view application_id, const PreparedRecord& record,
                       std::string_view actor) override;
  Result<std::optional<PreparedRecord>> prepared(std::string_view application_id,
                                                 std::string_view actor,
                                                 std::string_view purpose) override;

  // FulfilmentRepository
  Result<std::vector<WaitingApplication>> waiting(AppState state, CollectionMethod collection,
                                                  std::int64_t limit) override;
  Status pack(std::string_view pack_id, std::string_view postal_area,
              const std::vector<std::string>& application_ids, std::string_view actor) override;
  Status ship(std::string_view application_id, std::string_view courier,
              std::string_view tracking_number, std::string_view actor) override;
  Result<std::vector<Shipment>> pack_contents(std::string_view pack_id) override;
  Result<std::optional<Shipment>> shipment(std::string_view application_id) override;
  Result<std::optional<Shipment>> shipment_by_tracking(std::string_view tracking) override;
  // The application as JSON: state, masked card number, history, shipment
  // (one shape for the status API and `cardctl status --json`; nothing
  // personal). Kept up to date by the database itself (migration 13), so
  // one lookup. Errors: db.not_found.
  Result<std::string> application_document(std::string_view application_id);
  Result<std::vector<std::string>> packs_to_ship(std::int64_t limit) override;
  Result<std::vector<std::string>> packs_awaiting_documents(std::int64_t limit) override;
  Status mark_documents_printed(std::string_view pack_id) override;
  Result<std::vector<WaitingApplication>> at_branch(const BranchQuery& query) override;
  Result<EventOutcome> record_courier_event(const CourierEventRecord& event,
                                            std::string_view application_id,
                                            std::optional<AppState> to,
                                            std::string_view actor) override;
  Result<std::vector<CourierEventRecord>> courier_events(std::string_view tracking) override;

  // LineControlRepository
  Status set_paused(std::string_view line, std::string_view slot, bool paused,
                    std::string_view actor) override;
  Result<std::vector<LineControl>> line_controls() override;
  Status report_slots(const std::vector<SlotReport>& slots) override;
  Result<std::vector<SlotReport>> slot_reports() override;

  // TokenRepository
  Result<std::int64_t> add_token(const NewApiToken& token, std::string_view actor) override;
  Result<std::optional<ApiToken>> token_by_hash(std::string_view hash) override;
  Result<std::vector<ApiToken>> tokens() override;
  Status revoke_token(std::int64_t id, std::string_view actor) override;

  // AuditRepository
  Status audit(std::string_view actor, std::string_view action, std::string_view subject,
               std::string_view detail) override;
  Result<AuditReport> verify_audit_chain() override;
  Result<std::string> quick_check() override;

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
