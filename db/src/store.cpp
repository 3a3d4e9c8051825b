#include "cardd/db/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "cardd/common/civil_time.h"
#include "migrations.h"
#include "personal_codec.h"
#include "store_impl.h"

namespace cardd::db {

std::string_view to_string(IngestOutcome o) {
  switch (o) {
    case IngestOutcome::validated:
      return "validated";
    case IngestOutcome::rejected:
      return "rejected";
    case IngestOutcome::duplicate:
      return "duplicate";
    case IngestOutcome::conflict:
      return "conflict";
  }
  return "?";
}

Status Store::Impl::prepare_statements() {
  sqlite3* h = db.get();
  struct Item {
    sqlite::Statement* target;
    const char* sql;
  };
  const Item items[] = {
      {&find_app,
       "SELECT content_hash, state, collection FROM applications WHERE application_id = ?1"},
      {&insert_app,
       "INSERT INTO applications(application_id, state, collection, content_hash, source, "
       "public_data, errors, personal, id_number_hash, name_hash, id_tail_hash, created_at, "
       "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?12, ?11, ?11)"},
      {&insert_images,
       "INSERT INTO application_images(application_id, photo, id_front, id_back) VALUES (?1, ?2, "
       "?3, ?4)"},
      {&insert_history,
       "INSERT INTO state_history(application_id, from_state, to_state, at, actor, reason) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
      {&insert_outbox,
       "INSERT INTO outbox(application_id, event_id, payload, created_at) VALUES (?1, ?2, ?3, ?4)"},
      {&update_state,
       "UPDATE applications SET state = ?2, updated_at = ?3, version = version + 1 WHERE "
       "application_id = ?1"},
      {&upsert_cursor,
       "INSERT INTO intake_cursors(source, cursor, updated_at) VALUES (?1, ?2, ?3) "
       "ON CONFLICT(source) DO UPDATE SET cursor = excluded.cursor, updated_at = "
       "excluded.updated_at"},
  };
  for (const auto& item : items) {
    auto stmt = sqlite::Statement::prepare(h, item.sql);
    if (!stmt) return stmt.error();
    *item.target = std::move(*stmt);
  }
  auto writer = AuditWriter::create(h, audit_signer);
  if (!writer) return writer.error();
  audit = std::move(*writer);
  return {};
}

Status Store::Impl::record_change(std::string_view id, std::optional<AppState> from, AppState to,
                                  std::string_view at, std::string_view actor,
                                  std::string_view reason, std::string_view rejection) {
  insert_history.bind(1, id).bind(3, to_string(to)).bind(4, at).bind(5, actor);
  if (from) insert_history.bind(2, to_string(*from));
  if (!reason.empty()) insert_history.bind(6, reason);
  if (auto s = insert_history.run(); !s) return s;
  const std::int64_t seq = sqlite3_last_insert_rowid(db.get());

  const std::string transition =
      fmt::format("{}->{}", from ? to_string(*from) : std::string_view("NEW"), to_string(to));
  if (auto s = audit.append({at, actor, "application.transition", id, transition}); !s) return s;

  nlohmann::json payload = {
      {"event_id", fmt::format("{}:{}", id, seq)},
      {"application_id", id},
      {"seq", seq},
      {"state", to_string(to)},
      {"previous_state", from ? nlohmann::json(to_string(*from)) : nlohmann::json()},
      {"at", at}};
  if (!reason.empty()) payload["reason"] = reason;
  if (!rejection.empty()) payload["errors"] = nlohmann::json::parse(rejection, nullptr, false);
  if (auto s = add_card_facts(id, to, payload); !s) return s;
  const std::string event_id = payload["event_id"].get<std::string>();
  insert_outbox.bind(1, id).bind(2, event_id).bind(3, payload.dump()).bind(4, at);
  return insert_outbox.run();
}

Status Store::Impl::add_card_facts(std::string_view id, AppState to, nlohmann::json& payload) {
  // What the bureau shows the holder: the card number once a card exists,
  // the tracking number once it is in the post.
  const auto text_of = [&](std::string_view sql, const char* field) -> Status {
    auto stmt = statement(sql);
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, id);
    auto row = (*stmt)->step();
    if (row && *row && !(*stmt)->column_text(0).empty())
      payload[field] = std::string((*stmt)->column_text(0));
    (*stmt)->reset();
    return row ? Status{} : Status(row.error());
  };
  using S = AppState;
  const bool card_exists = to == S::encoded || to == S::printing || to == S::printed ||
                           to == S::qc_passed || to == S::packed || to == S::shipped ||
                           to == S::delivered || to == S::returned || to == S::dispatched ||
                           to == S::ready_for_pickup || to == S::collected;
  if (card_exists)
    if (auto s = text_of("SELECT card_number FROM prepared_cards WHERE application_id = ?1",
                         "card_number");
        !s)
      return s;
  if (to == S::shipped || to == S::delivered || to == S::returned)
    return text_of("SELECT COALESCE(tracking_number, '') FROM shipments WHERE application_id = ?1",
                   "tracking_number");
  return {};
}

Result<IngestOutcome> Store::Impl::ingest_one(const NewApplication& a, const SealedPersonal* sealed,
                                              std::string_view source, std::string_view actor,
                                              std::string_view at) {
  find_app.bind(1, a.application_id);
  auto found = find_app.step();
  if (!found) return found.error();
  if (*found) {
    const bool same = find_app.column_text(0) == a.content_hash;
    find_app.reset();
    if (same) return IngestOutcome::duplicate;
    if (auto s = audit.append({at, actor, "intake.conflict", a.application_id,
                               "same application_id with different content; kept out"});
        !s)
      return s.error();
    return IngestOutcome::conflict;
  }
  find_app.reset();

  const AppState final_state = a.rejection ? AppState::rejected : AppState::validated;
  const CollectionMethod collection =
      a.rejection ? CollectionMethod::unknown : a.details.collection;
  insert_app.bind(1, a.application_id)
      .bind(2, to_string(final_state))
      .bind(3, to_string(collection));
  insert_app.bind(4, a.content_hash)
      .bind(5, source)
      .bind(6, a.rejection ? std::string("{}") : details_to_json(a.details));
  if (a.rejection) insert_app.bind(7, *a.rejection);
  if (sealed != nullptr)
    insert_app.bind_blob(8, sealed->personal)
        .bind(9, sealed->id_number_hash)
        .bind(10, sealed->name_hash)
        .bind(12, sealed->id_tail_hash);
  insert_app.bind(11, at);
  if (auto s = insert_app.run(); !s) return s.error();

  if (sealed != nullptr) {
    insert_images.bind(1, a.application_id)
        .bind_blob(2, sealed->photo)
        .bind_blob(3, sealed->id_front)
        .bind_blob(4, sealed->id_back);
    if (auto s = insert_images.run(); !s) return s.error();
  }
  if (auto s = record_change(a.application_id, std::nullopt, AppState::received, at, actor, source);
      !s)
    return s.error();
  const std::string_view reason = a.rejection ? "validation failed" : "";
  if (auto s = record_change(a.application_id, AppState::received, final_state, at, actor, reason,
                             a.rejection ? std::string_view(*a.rejection) : std::string_view());
      !s)
    return s.error();
  return a.rejection ? IngestOutcome::rejected : IngestOutcome::validated;
}

namespace {

Status set_up(sqlite3* raw, const StoreOptions& options) {
  // 64 KiB pages: each application carries ~50 KB of images, and large pages
  // halve the overflow-page work per row (measured by bench_intake). Only
  // takes effect when the file is created. secure_delete: a replaced or
  // deleted value is overwritten, not left in a free page. mmap: a read of a
  // page outside SQLite's small cache maps it instead of copying 64 KiB
  // (bench_api, one connection: 4,500 → 6,700 requests/s); past 1 GiB the
  // file is read as before.
  const std::string pragmas = fmt::format(
      "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA "
      "secure_delete = ON; PRAGMA synchronous = {}; PRAGMA mmap_size = 1073741824;",
      options.synchronous_full ? "FULL" : "NORMAL");
  if (auto s = sqlite::exec(raw, pragmas); !s) {
    Error e = s.error();
    if (e.code == DbError::corrupt || e.code == DbError::internal) e.code = DbError::open_failed;
    return e;
  }
  return migrate(raw, MigrationKeys{options.sealer, options.audit_signer});
}

// Before SQLite's first use in the process. Its memory statistics take one
// process-wide mutex on every allocation, which the API's reader threads
// would queue on; nothing here reads those statistics.
void configure_sqlite_once() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

Store::Store(Key, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& path, StoreOptions options) {
  std::error_code ec;
  if (!options.create_if_missing && !std::filesystem::exists(path, ec))
    return make_error(DbError::no_database, fmt::format("database {} does not exist", path));
  // SQLite creates files with the process umask; a new database (and its WAL,
  // which inherits the mode) must be readable by its owner only.
  if (options.create_if_missing)
    if (const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0)
      ::close(fd);
  configure_sqlite_once();
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite::DbHandle db(raw);
  if (rc != SQLITE_OK) {
    Error e = sqlite::to_error(raw, rc, fmt::format("open {}", path));
    e.code = DbError::open_failed;
    return e;
  }
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // SQLite answers BUSY at once, without its busy handler, where waiting
  // could deadlock (a connection upgrading its read lock while another turns
  // a new file into WAL); the whole set-up is tried again until the busy
  // timeout has passed.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  for (;;) {
    auto s = set_up(raw, options);
    if (s) break;
    if (s.error().code != DbError::busy || std::chrono::steady_clock::now() >= deadline)
      return s.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  impl->sealer = options.sealer;
  impl->audit_signer = options.audit_signer;
  if (auto s = impl->prepare_statements(); !s) return s.error();
  return std::make_unique<Store>(Key{}, std::move(impl));
}

Result<std::unique_ptr<Store>> Store::open_again() const {
  const char* file = sqlite3_db_filename(impl_->db.get(), "main");
  if (file == nullptr || *file == '\0')
    return make_error(DbError::open_failed, "this store has no file to open again");
  StoreOptions options;
  options.sealer = impl_->sealer;
  options.audit_signer = impl_->audit_signer;
  return open(file, options);
}

Result<std::vector<IngestOutcome>> Store::ingest(const IngestBatch& batch) {
  // Sealing asks the HSM; it runs before the write lock is taken.
  std::vector<std::optional<SealedPersonal>> sealed(batch.applications.size());
  for (std::size_t i = 0; i < batch.applications.size(); ++i) {
    const NewApplication& a = batch.applications[i];
    if (a.rejection) continue;
    if (impl_->sealer == nullptr) return no_sealer();
    auto s = seal_personal(*impl_->sealer, a.application_id, a.personal);
    if (!s) return s.error();
    sealed[i] = std::move(*s);
  }
  std::lock_guard lock(impl_->mutex);
  auto tx = impl_->begin_write();
  if (!tx) return tx.error();
  if (auto s = impl_->audit.begin(); !s) return s.error();
  const std::string at = format_rfc3339_utc(unix_now());
  std::vector<IngestOutcome> outcomes;
  outcomes.reserve(batch.applications.size());
  for (std::size_t i = 0; i < batch.applications.size(); ++i) {
    auto outcome = impl_->ingest_one(batch.applications[i], sealed[i] ? &*sealed[i] : nullptr,
                                     batch.source, batch.actor, at);
    if (!outcome) return outcome.error();
    outcomes.push_back(*outcome);
  }
  for (const std::string& note : batch.unidentified)
    if (auto s = impl_->audit.append({at, batch.actor, "intake.unidentified", batch.source, note});
        !s)
      return s.error();
  if (batch.cursor_source) {
    impl_->upsert_cursor.bind(1, *batch.cursor_source).bind(2, batch.cursor_value).bind(3, at);
    if (auto s = impl_->upsert_cursor.run(); !s) return s.error();
  }
  if (auto s = impl_->commit(*tx); !s) return s.error();
  return outcomes;
}

Status Store::Impl::move(std::string_view id, AppState to, std::string_view actor,
                         std::string_view reason) {
  find_app.bind(1, id);
  auto found = find_app.step();
  if (!found) return found.error();
  if (!*found) {
    find_app.reset();
    return make_error(DbError::not_found, fmt::format("no application {}", id));
  }
  const auto from = state_from_string(find_app.column_text(1));
  const CollectionMethod collection =
      collection_from_string(find_app.column_text(2)).value_or(CollectionMethod::unknown);
  find_app.reset();
  if (!from)
    return make_error(DbError::corrupt, fmt::format("application {} has an unknown state", id));
  if (!is_legal_transition(*from, to, collection))
    return make_error(DbError::illegal_transition,
                      fmt::format("application {}: {} -> {} is not allowed", id, to_string(*from),
                                  to_string(to)));
  if (auto s = audit.begin(); !s) return s;
  const std::string at = format_rfc3339_utc(unix_now());
  update_state.bind(1, id).bind(2, to_string(to)).bind(3, at);
  if (auto s = update_state.run(); !s) return s;
  return record_change(id, *from, to, at, actor, reason);
}

Status Store::transition(std::string_view id, AppState to, std::string_view actor,
                         std::string_view reason) {
  std::lock_guard lock(impl_->mutex);
  auto tx = impl_->begin_write();
  if (!tx) return tx.error();
  if (auto s = impl_->move(id, to, actor, reason); !s) return s;
  return impl_->commit(*tx);
}

Status Store::audit(std::string_view actor, std::string_view action, std::string_view subject,
                    std::string_view detail) {
  std::lock_guard lock(impl_->mutex);
  auto tx = impl_->begin_write();
  if (!tx) return tx.error();
  if (auto s = impl_->audit.begin(); !s) return s;
  const std::string at = format_rfc3339_utc(unix_now());
  if (auto s = impl_->audit.append({at, actor, action, subject, detail}); !s) return s;
  return impl_->commit(*tx);
}

Result<sqlite::Transaction> Store::Impl::begin_write() {
  audit.forget();
  return sqlite::Transaction::begin(db.get());
}

Status Store::Impl::commit(sqlite::Transaction& tx) {
  if (auto s = audit.finish(); !s) return s;
  return tx.commit();
}

Result<AuditReport> Store::verify_audit_chain() {
  std::lock_guard lock(impl_->mutex);
  return db::verify_audit_chain(impl_->db.get(), impl_->audit_signer);
}

Result<std::string> Store::quick_check() {
  std::lock_guard lock(impl_->mutex);
  auto q = sqlite::Statement::prepare(impl_->db.get(), "PRAGMA quick_check");
  if (!q) return q.error();
  std::string out;
  while (true) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    if (!out.empty()) out += "; ";
    out += q->column_text(0);
  }
  return out;
}

int Store::schema_version() const { return latest_schema_version(); }

}  // namespace cardd::db
