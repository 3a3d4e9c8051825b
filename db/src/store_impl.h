// Store internals shared by its source files.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "audit.h"
#include "cardd/db/store.h"
#include "personal_codec.h"
#include "sqlite.h"

namespace cardd::db {

struct Store::Impl {
  sqlite::DbHandle db;
  Sealer* sealer = nullptr;             // not owned; null: no personal data in or out
  AuditSigner* audit_signer = nullptr;  // not owned; null: no audit entries written
  std::mutex mutex;
  AuditWriter audit;
  sqlite::Statement find_app;
  sqlite::Statement insert_app;
  sqlite::Statement insert_images;
  sqlite::Statement insert_history;
  sqlite::Statement insert_outbox;
  sqlite::Statement update_state;
  sqlite::Statement upsert_cursor;
  std::map<std::string_view, sqlite::Statement> read_statements;  // keyed by SQL literal

  Status prepare_statements();
  // Every write transaction starts here (the audit writer forgets what a
  // rolled-back transaction appended) …
  Result<sqlite::Transaction> begin_write();
  // … and ends here: anchors the audit head (when entries were appended) and commits: every
  // write transaction ends here.
  Status commit(sqlite::Transaction& tx);

  // Inside a transaction: the history event, its audit entry and its outbox
  // message for one state change. `rejection` is the JSON array of reasons.
  Status record_change(std::string_view application_id, std::optional<AppState> from, AppState to,
                       std::string_view at, std::string_view actor, std::string_view reason,
                       std::string_view rejection = {});
  // The card and tracking numbers an outbox message of a change to `to` carries.
  Status add_card_facts(std::string_view application_id, AppState to, nlohmann::json& payload);
  // Inside a transaction: one state change with its history, audit and
  // outbox entries, when the state machine allows it.
  Status move(std::string_view application_id, AppState to, std::string_view actor,
              std::string_view reason);
  // Read statements are prepared on first use and kept (keyed by the SQL).
  Result<sqlite::Statement*> statement(std::string_view sql);
  // Under the lock: Store::status and Store::shipment, for reads that combine
  // them in one transaction.
  Result<ApplicationStatus> read_status(std::string_view application_id);
  Result<std::optional<Shipment>> read_shipment(std::string_view application_id);
  // `sealed` is null for a rejected application (nothing personal kept).
  Result<IngestOutcome> ingest_one(const NewApplication& a, const SealedPersonal* sealed,
                                   std::string_view source, std::string_view actor,
                                   std::string_view at);
};

}  // namespace cardd::db
