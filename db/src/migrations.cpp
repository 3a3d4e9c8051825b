#include "migrations.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "sqlite.h"

namespace cardd::db {
namespace {

// Append only: a released migration is never edited.
constexpr std::array<std::string_view, 2> kMigrations = {
    // 1: applications, their history, outbox, audit chain, intake cursors.
    R"sql(
CREATE TABLE applications (
  application_id   TEXT PRIMARY KEY,
  state            TEXT NOT NULL,
  collection       TEXT NOT NULL,            -- mail | branch | unknown (rejected)
  content_hash     TEXT NOT NULL,            -- sha-256 of the document as received
  source           TEXT NOT NULL,            -- file:<name> | bureau | api
  public_data      TEXT NOT NULL,            -- JSON: the fields that are not sealed
  errors           TEXT,                     -- JSON: rejection reasons
  id_number        BLOB,                     -- sealed (pii codec)
  mobile           BLOB,                     -- sealed
  recipient_mobile BLOB,                     -- sealed
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  version          INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX applications_state ON applications(state);

CREATE TABLE application_images (
  application_id TEXT PRIMARY KEY REFERENCES applications(application_id) ON DELETE CASCADE,
  photo          BLOB,   -- sealed
  id_front       BLOB,   -- sealed; dropped after delivery (retention)
  id_back        BLOB    -- sealed; dropped after delivery (retention)
) STRICT;

CREATE TABLE state_history (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id TEXT NOT NULL REFERENCES applications(application_id) ON DELETE CASCADE,
  from_state     TEXT,
  to_state       TEXT NOT NULL,
  at             TEXT NOT NULL,
  actor          TEXT NOT NULL,
  reason         TEXT
) STRICT;
CREATE INDEX state_history_app ON state_history(application_id, seq);

CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  application_id  TEXT NOT NULL,
  event_id        TEXT NOT NULL UNIQUE,
  payload         TEXT NOT NULL,             -- JSON status change, as pushed
  created_at      TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  sent_at         TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox(sent_at, seq);

CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  subject   TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;

CREATE TABLE intake_cursors (
  source     TEXT PRIMARY KEY,
  cursor     TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
)sql",
    // 2: blank-card stock, the cards used for each application, number
    // allocators and prepared card data.
    R"sql(
CREATE TABLE card_lots (
  lot          TEXT PRIMARY KEY,
  chip_prefix  TEXT NOT NULL,               -- 8 hex digits, or '' for any fabricator/type
  first_serial INTEGER NOT NULL,            -- IC serial number (32 bits)
  count        INTEGER NOT NULL CHECK (count > 0),
  received_at  TEXT NOT NULL
) STRICT;

CREATE TABLE cards (
  chip_id        TEXT PRIMARY KEY,          -- 16 hex digits
  lot            TEXT NOT NULL REFERENCES card_lots(lot),
  application_id TEXT NOT NULL REFERENCES applications(application_id),
  state          TEXT NOT NULL CHECK (state IN ('ENCODING', 'ENCODED', 'SPOILED')),
  reason         TEXT NOT NULL DEFAULT '',
  claimed_at     TEXT NOT NULL,
  finished_at    TEXT
) STRICT;
CREATE INDEX cards_by_application ON cards(application_id);
CREATE INDEX cards_by_lot ON cards(lot, state);

CREATE TABLE allocators (
  name TEXT PRIMARY KEY,
  next INTEGER NOT NULL
) STRICT;

CREATE TABLE prepared_cards (
  application_id TEXT PRIMARY KEY REFERENCES applications(application_id),
  profile        TEXT NOT NULL,
  card_number    TEXT NOT NULL UNIQUE,
  pan            TEXT NOT NULL UNIQUE,
  data           BLOB NOT NULL,              -- sealed JSON of the prepared card
  created_at     TEXT NOT NULL
) STRICT;
)sql",
};

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

Status migrate(sqlite3* db) {
  auto version_stmt = sqlite::Statement::prepare(db, "PRAGMA user_version");
  if (!version_stmt) return version_stmt.error();
  auto row = version_stmt->step();
  if (!row) return row.error();
  const auto current = static_cast<int>(version_stmt->column_int(0));
  version_stmt->reset();
  if (current > latest_schema_version())
    return make_error(DbError::migration_failed,
                      fmt::format("database schema version {} is newer than this cardd knows ({})",
                                  current, latest_schema_version()));
  for (int v = current; v < latest_schema_version(); ++v) {
    auto tx = sqlite::Transaction::begin(db);
    if (!tx) return tx.error();
    if (auto s = sqlite::exec(db, kMigrations[static_cast<std::size_t>(v)]); !s)
      return make_error(DbError::migration_failed,
                        fmt::format("migration {}: {}", v + 1, s.error().message));
    if (auto s = sqlite::exec(db, fmt::format("PRAGMA user_version = {}", v + 1)); !s)
      return s.error();
    if (auto s = tx->commit(); !s) return s.error();
  }
  return {};
}

}  // namespace cardd::db
