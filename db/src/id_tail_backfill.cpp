#include "id_tail_backfill.h"

#include "personal_codec.h"
#include "sqlite.h"

namespace cardd::db {

Status hash_id_tails(sqlite3* db, Sealer* sealer) {
  auto q = sqlite::Statement::prepare(
      db, "SELECT application_id, personal FROM applications WHERE personal IS NOT NULL");
  if (!q) return q.error();
  auto update = sqlite::Statement::prepare(
      db, "UPDATE applications SET id_tail_hash = ?2 WHERE application_id = ?1");
  if (!update) return update.error();
  while (true) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) return {};
    if (sealer == nullptr) return no_sealer();
    const std::string id(q->column_text(0));
    SealedPersonal sealed;
    sealed.personal = q->column_blob(1);
    auto personal = open_personal(*sealer, id, sealed);
    if (!personal) return personal.error();
    auto hash = sealer->keyed_hash(kHashIdTail, id_number_tail(personal->id_number));
    if (!hash) return hash.error();
    update->bind(1, id).bind(2, *hash);
    if (auto s = update->run(); !s) return s;
  }
}

}  // namespace cardd::db
