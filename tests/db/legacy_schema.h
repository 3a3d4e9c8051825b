// The schema an older cardd (schema version 2) created, for migration tests.
#pragma once

#include <string>
#include <vector>

#include "cardd/common/sha256.h"

namespace cardd::db::test {

// An audit entry's hash as schemas 1 and 2 chained them: SHA-256 over the
// previous hash, the sequence number and the fields, joined by \x1f.
inline std::string legacy_hash(const std::string& prev, int seq,
                               const std::vector<std::string>& fields) {
  std::string material = prev + '\x1f' + std::to_string(seq) + '\x1f';
  for (const auto& f : fields) material += f + '\x1f';
  return to_hex(sha256(material));
}

// Schema 1 and 2 as an older cardd created them.
inline constexpr const char* kSchema2 = R"sql(
PRAGMA page_size = 65536; PRAGMA journal_mode = WAL;
CREATE TABLE applications (application_id TEXT PRIMARY KEY, state TEXT NOT NULL,
  collection TEXT NOT NULL, content_hash TEXT NOT NULL, source TEXT NOT NULL,
  public_data TEXT NOT NULL, errors TEXT, id_number BLOB, mobile BLOB, recipient_mobile BLOB,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1) STRICT;
CREATE INDEX applications_state ON applications(state);
CREATE TABLE application_images (application_id TEXT PRIMARY KEY REFERENCES
  applications(application_id) ON DELETE CASCADE, photo BLOB, id_front BLOB, id_back BLOB) STRICT;
CREATE TABLE state_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, application_id TEXT NOT NULL
  REFERENCES applications(application_id) ON DELETE CASCADE, from_state TEXT, to_state TEXT NOT
  NULL, at TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT) STRICT;
CREATE INDEX state_history_app ON state_history(application_id, seq);
CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, application_id TEXT NOT NULL,
  event_id TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER
  NOT NULL DEFAULT 0, next_attempt_at TEXT, sent_at TEXT) STRICT;
CREATE INDEX outbox_pending ON outbox(sent_at, seq);
CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT
  NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT
  NULL, hash TEXT NOT NULL) STRICT;
CREATE TABLE intake_cursors (source TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_at TEXT NOT
  NULL) STRICT;
CREATE TABLE card_lots (lot TEXT PRIMARY KEY, chip_prefix TEXT NOT NULL, first_serial INTEGER NOT
  NULL, count INTEGER NOT NULL CHECK (count > 0), received_at TEXT NOT NULL) STRICT;
CREATE TABLE cards (chip_id TEXT PRIMARY KEY, lot TEXT NOT NULL REFERENCES card_lots(lot),
  application_id TEXT NOT NULL REFERENCES applications(application_id), state TEXT NOT NULL CHECK
  (state IN ('ENCODING', 'ENCODED', 'SPOILED')), reason TEXT NOT NULL DEFAULT '', claimed_at TEXT
  NOT NULL, finished_at TEXT) STRICT;
CREATE INDEX cards_by_application ON cards(application_id);
CREATE INDEX cards_by_lot ON cards(lot, state);
CREATE TABLE allocators (name TEXT PRIMARY KEY, next INTEGER NOT NULL) STRICT;
CREATE TABLE prepared_cards (application_id TEXT PRIMARY KEY REFERENCES
  applications(application_id), profile TEXT NOT NULL, card_number TEXT NOT NULL UNIQUE, pan TEXT
  NOT NULL UNIQUE, data BLOB NOT NULL, created_at TEXT NOT NULL) STRICT;
PRAGMA user_version = 2;
)sql";

}  // namespace cardd::db::test
