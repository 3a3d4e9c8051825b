#include "migrations.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "id_tail_backfill.h"
#include "legacy_audit.h"
#include "legacy_sealing.h"
#include "sqlite.h"

namespace cardd::db {
namespace {

// Migration 13's triggers: after any change to a row an application's
// document is made of, the document is made again from the live view. An
// application is born with its first history row and never changes state
// without one (Store::Impl::record_change, in the same transaction, after
// the application's row), so the history row's trigger alone follows
// intake and every state change: one document made per change, not two.
Status create_document_triggers(sqlite3* db) {
  struct Trigger {
    std::string_view name, event, table, key;
  };
  static constexpr Trigger kTriggers[] = {
      {"on_history", "INSERT", "state_history", "NEW.application_id"},
      {"on_update", "UPDATE OF collection, public_data, errors, created_at", "applications",
       "NEW.application_id"},
      {"on_card", "INSERT", "prepared_cards", "NEW.application_id"},
      {"on_card_change", "UPDATE", "prepared_cards", "OLD.application_id, NEW.application_id"},
      {"on_card_gone", "DELETE", "prepared_cards", "OLD.application_id"},
      {"on_shipment", "INSERT", "shipments", "NEW.application_id"},
      {"on_shipment_change", "UPDATE", "shipments", "OLD.application_id, NEW.application_id"},
  };
  for (const Trigger& t : kTriggers)
    if (auto s = sqlite::exec(
            db, fmt::format("CREATE TRIGGER application_documents_{} AFTER {} ON {} BEGIN "
                            "INSERT OR REPLACE INTO application_documents SELECT application_id, "
                            "document FROM application_documents_live WHERE application_id IN "
                            "({}); END;",
                            t.name, t.event, t.table, t.key));
        !s)
      return s;
  return {};
}

// Append only: a released migration is never edited. A step may have a
// data part (C++) between its two SQL parts.
struct Step {
  std::string_view before;
  Status (*data)(sqlite3* db, const MigrationKeys& keys) = nullptr;
  std::string_view after;
};

const std::array<Step, 13> kMigrations = {{
    {// 1: applications, their history, outbox, audit chain, intake cursors.
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
     nullptr,
     {}},
    {// 2: blank-card stock, the cards used for each application, number
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
     nullptr,
     {}},
    {// 3: personal data sealed (db/sealer.h): the name, ID number, phones and
     // addresses leave the clear columns and public_data for one sealed
     // value per application; images and prepared cards are sealed bound to
     // their row; ID number, name and PAN are found through keyed hashes.
     R"sql(
ALTER TABLE applications ADD COLUMN personal BLOB;   -- sealed JSON: name, ID number, phones, addresses
ALTER TABLE applications ADD COLUMN id_number_hash TEXT;
ALTER TABLE applications ADD COLUMN name_hash TEXT;
CREATE INDEX applications_by_id_number ON applications(id_number_hash);
CREATE INDEX applications_by_name ON applications(name_hash);
CREATE TABLE prepared_cards_v3 (
  application_id TEXT PRIMARY KEY REFERENCES applications(application_id),
  profile        TEXT NOT NULL,
  card_number    TEXT NOT NULL UNIQUE,
  pan_hash       TEXT NOT NULL UNIQUE,       -- keyed hash of the PAN (sealed in data)
  issue_date     TEXT NOT NULL,
  expiry_date    TEXT NOT NULL,
  bank           TEXT NOT NULL,
  data           BLOB NOT NULL,              -- sealed: PAN, name, ID number, card data
  created_at     TEXT NOT NULL
) STRICT;
)sql",
     [](sqlite3* db, const MigrationKeys& keys) { return seal_legacy_rows(db, keys.sealer); },
     R"sql(
ALTER TABLE applications DROP COLUMN id_number;
ALTER TABLE applications DROP COLUMN mobile;
ALTER TABLE applications DROP COLUMN recipient_mobile;
DROP TABLE prepared_cards;
ALTER TABLE prepared_cards_v3 RENAME TO prepared_cards;
)sql"},
    {// 4: the audit log MACed under the HSM's audit key (db/audit.h) instead
     // of a SHA-256 chain anyone could recompute, and its head anchored in a
     // MACed row of its own so that cutting entries off the end is seen.
     R"sql(
ALTER TABLE audit_log ADD COLUMN key_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
CREATE TABLE audit_head (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  seq         INTEGER NOT NULL,             -- the last entry
  mac         TEXT NOT NULL,                -- the last entry's MAC
  key_version INTEGER NOT NULL,
  head_mac    TEXT NOT NULL                 -- MAC over "head", seq, mac
) STRICT;
)sql",
     [](sqlite3* db, const MigrationKeys& keys) { return mac_legacy_audit_log(db, keys.signer); },
     R"sql(
ALTER TABLE audit_log DROP COLUMN prev_hash;
ALTER TABLE audit_log DROP COLUMN hash;
)sql"},
    {// 5: mail fulfilment: the pack a card travels in and its tracking
     // number, which is never given to a second card.
     R"sql(
CREATE TABLE shipments (
  application_id  TEXT PRIMARY KEY REFERENCES applications(application_id),
  pack_id         TEXT NOT NULL,
  postal_area     TEXT NOT NULL,
  courier         TEXT NOT NULL DEFAULT '',
  tracking_number TEXT UNIQUE,               -- NULL until shipped
  packed_at       TEXT NOT NULL,
  shipped_at      TEXT
) STRICT;
CREATE INDEX shipments_by_pack ON shipments(pack_id);
CREATE INDEX applications_waiting ON applications(state, collection, updated_at);
)sql",
     nullptr,
     {}},
    {// 6: who holds an encoding claim and until when, so that a claim is
     // fenced (its holder stops before the next write once it was taken
     // over) and never taken from a live holder; `written` says whether the
     // card may already carry data.
     R"sql(
ALTER TABLE cards ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE cards ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN written INTEGER NOT NULL DEFAULT 0;
)sql",
     nullptr,
     {}},
    {// 7: the operator's pause flags of lines and slots (`cardctl line`),
     // read by the daemon wherever it runs, and what each slot last did.
     R"sql(
CREATE TABLE line_controls (
  line       TEXT NOT NULL,
  slot       TEXT NOT NULL DEFAULT '',        -- reader-name pattern; '': the whole line
  paused     INTEGER NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  PRIMARY KEY (line, slot)
) STRICT;
CREATE TABLE slot_reports (
  line        TEXT NOT NULL,
  slot        TEXT NOT NULL,
  reader      TEXT NOT NULL,
  activity    TEXT NOT NULL,
  application TEXT NOT NULL,
  paused      INTEGER NOT NULL,
  made        INTEGER NOT NULL,
  spoiled     INTEGER NOT NULL,
  reporter    TEXT NOT NULL,
  reported_at TEXT NOT NULL,
  PRIMARY KEY (line, slot)
) STRICT;
)sql",
     nullptr,
     {}},
    {// 8: a pack's paper (carrier
     // letters and labels, printed after shipping) is recorded once printed,
     // so a failed print is retried. Packs shipped before had their paper
     // printed by hand (cardctl render): recorded as printed.
     R"sql(
CREATE TABLE pack_documents (
  pack_id     TEXT PRIMARY KEY,
  printed_at  TEXT NOT NULL
) STRICT;
INSERT INTO pack_documents(pack_id, printed_at)
  SELECT pack_id, MAX(shipped_at) FROM shipments
  GROUP BY pack_id HAVING COUNT(tracking_number) = COUNT(*);
)sql",
     nullptr,
     {}},
    {// 9: the numbers of a written card that could not be terminated (gone
     // from its reader) are retired with it: never issued again, and the
     // application's next card gets new ones.
     R"sql(
CREATE TABLE retired_numbers (
  card_number    TEXT PRIMARY KEY,
  pan_hash       TEXT NOT NULL UNIQUE,
  application_id TEXT NOT NULL REFERENCES applications(application_id),
  chip_id        TEXT NOT NULL,
  reason         TEXT NOT NULL,
  retired_at     TEXT NOT NULL
) STRICT;
)sql",
     nullptr,
     {}},
    {// 10: HTTP API tokens: only a hash of each is kept; a token is never
     // deleted, only revoked, so the audit log's token ids stay meaningful.
     R"sql(
CREATE TABLE api_tokens (
  token_id    INTEGER PRIMARY KEY,
  hash        TEXT NOT NULL UNIQUE,          -- sha-256 of the token, hex
  role        TEXT NOT NULL,
  branch      TEXT NOT NULL DEFAULT '',      -- set exactly for role 'branch'
  label       TEXT NOT NULL DEFAULT '',
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL DEFAULT '',      -- '' never
  revoked_at  TEXT NOT NULL DEFAULT ''       -- '' in use
) STRICT;
)sql",
     nullptr,
     {}},
    {// 11: couriers' events, each kept once by the courier's own event id;
     // and the keyed hash of the ID number's last digits, for a branch
     // counter's search without opening every waiting holder's data.
     R"sql(
CREATE TABLE courier_events (
  event_id        TEXT PRIMARY KEY,          -- the courier's, for idempotency
  tracking_number TEXT NOT NULL,
  event           TEXT NOT NULL,             -- in_transit | delivered | returned
  occurred_at     TEXT NOT NULL,             -- as the courier says
  detail          TEXT NOT NULL DEFAULT '',
  received_at     TEXT NOT NULL
) STRICT;
CREATE INDEX courier_events_by_tracking ON courier_events(tracking_number, received_at);
ALTER TABLE applications ADD COLUMN id_tail_hash TEXT;
)sql",
     [](sqlite3* db, const MigrationKeys& keys) { return hash_id_tails(db, keys.sealer); },
     R"sql(
CREATE INDEX applications_by_id_tail ON applications(id_tail_hash);
)sql"},
    {// 12: the history by the state entered and when: cards per hour and
     // counts of states reached without reading every row.
     R"sql(
CREATE INDEX state_history_by_state ON state_history(to_state, at);
)sql",
     nullptr,
     {}},
    {// 13: each application's document as GET /api/v1/applications/{id} and
     // `cardctl status --json` show it, kept whole beside the rows it is
     // made of. Reading it is one lookup instead of five and a JSON
     // round trip; triggers (create_document_triggers) write it again in the
     // same transaction as any change to those rows, whoever makes the
     // change, so it cannot lag.
     R"sql(
CREATE VIEW application_documents_live AS
SELECT a.application_id AS application_id, json_object(
  'application_id', a.application_id,
  'state', a.state,
  'card_number', CASE
    WHEN coalesce(p.card_number, '') = '' THEN NULL
    WHEN length(p.card_number) <= 4 THEN substr('****', 1, length(p.card_number))
    ELSE substr(replace(hex(zeroblob(length(p.card_number))), '0', '*'), 1,
                length(p.card_number) - 4) || substr(p.card_number, -4) END,
  'collection', a.collection,
  'issuing_branch', CASE
    WHEN a.state = 'REJECTED' OR NOT json_valid(a.public_data) THEN NULL
    ELSE coalesce(json_extract(a.public_data, '$.issuing_branch'), '') END,
  'created_at', a.created_at,
  'updated_at', a.updated_at,
  'errors', json(coalesce((
    SELECT json_group_array(json_object(
      'field', coalesce(json_extract(e.value, '$.field'), ''),
      'code', coalesce(json_extract(e.value, '$.code'), ''),
      'message', coalesce(json_extract(e.value, '$.message'), '')))
    FROM json_each(CASE WHEN json_valid(a.errors) THEN a.errors ELSE '[]' END) e
    WHERE e.type = 'object'), '[]')),
  'history', json(coalesce((
    SELECT json_group_array(json_object(
      'seq', h.seq, 'from', h.from_state, 'to', h.to_state, 'at', h.at, 'actor', h.actor,
      'reason', coalesce(h.reason, '')))
    FROM (SELECT * FROM state_history WHERE application_id = a.application_id ORDER BY seq) h),
    '[]')),
  'shipment', json((
    SELECT json_object('pack', s.pack_id, 'postal_area', s.postal_area, 'courier', s.courier,
                       'tracking_number', coalesce(s.tracking_number, ''))
    FROM shipments s WHERE s.application_id = a.application_id))) AS document
FROM applications a LEFT JOIN prepared_cards p USING (application_id);

CREATE TABLE application_documents (
  application_id TEXT PRIMARY KEY REFERENCES applications(application_id) ON DELETE CASCADE,
  document       TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO application_documents SELECT application_id, document FROM application_documents_live;
)sql",
     [](sqlite3* db, const MigrationKeys&) { return create_document_triggers(db); },
     {}},
}};

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

namespace {

Result<int> user_version(sqlite3* db) {
  auto version_stmt = sqlite::Statement::prepare(db, "PRAGMA user_version");
  if (!version_stmt) return version_stmt.error();
  auto row = version_stmt->step();
  if (!row) return row.error();
  return static_cast<int>(version_stmt->column_int(0));
}

}  // namespace

Status migrate(sqlite3* db, const MigrationKeys& keys) {
  // Up to date: nothing to lock (a long writer elsewhere does not block opening).
  if (auto seen = user_version(db); seen && *seen == latest_schema_version()) return {};
  // The version check and the steps run under one write lock: processes
  // opening a new file at once wait for the first, then find it migrated.
  auto tx = sqlite::Transaction::begin_exclusive(db);
  if (!tx) return tx.error();
  auto version = user_version(db);
  if (!version) return version.error();
  const int current = *version;
  if (current > latest_schema_version())
    return make_error(DbError::migration_failed,
                      fmt::format("database schema version {} is newer than this cardd knows ({})",
                                  current, latest_schema_version()));
  for (int v = current; v < latest_schema_version(); ++v) {
    const Step& step = kMigrations[static_cast<std::size_t>(v)];
    const auto failed = [&](const Error& e) {
      return make_error(DbError::migration_failed,
                        fmt::format("migration {}: {}", v + 1, e.message));
    };
    if (auto s = sqlite::exec(db, step.before); !s) return failed(s.error());
    if (step.data != nullptr)
      if (auto s = step.data(db, keys); !s) {
        // A missing key or a value that does not open says so as it is.
        if (s.error().code == DbError::no_sealer || s.error().code == DbError::unsealable ||
            s.error().code == DbError::no_audit_signer)
          return s.error();
        return failed(s.error());
      }
    if (!step.after.empty())
      if (auto s = sqlite::exec(db, step.after); !s) return failed(s.error());
    if (auto s = sqlite::exec(db, fmt::format("PRAGMA user_version = {}", v + 1)); !s)
      return s.error();
  }
  return tx->commit();
}

}  // namespace cardd::db
