// Retention: the holder's photo and ID-card images are kept until the card
// is in the holder's hands, then for the configured days, then deleted. The
// card, its history and the audit trail stay; the name and ID number stay
// sealed with the application (the card's record needs them).
#include <fmt/format.h>

#include "cardd/db/store.h"
#include "store_impl.h"
#include "store_sql.h"

namespace cardd::db {
namespace {

struct Due {
  std::string application_id;
  std::string state;
  std::string since;
};

}  // namespace

Result<std::vector<std::string>> Store::purge_images(const PurgeRequest& request) {
  std::lock_guard lock(impl_->mutex);
  auto tx = impl_->begin_write();
  if (!tx) return tx.error();
  auto q = impl_->statement(
      "SELECT a.application_id, a.state, (SELECT max(h.at) FROM state_history h "
      "WHERE h.application_id = a.application_id AND h.to_state = a.state) AS since "
      "FROM applications a JOIN application_images i USING (application_id) "
      "WHERE a.state IN ('DELIVERED', 'COLLECTED') AND (i.photo IS NOT NULL OR "
      "i.id_front IS NOT NULL OR i.id_back IS NOT NULL) AND since <= ?1 "
      "ORDER BY a.application_id LIMIT ?2");
  if (!q) return q.error();
  (*q)->bind(1, request.before).bind(2, request.limit);
  std::vector<Due> due;
  if (auto s = each_row(**q,
                        [&due](sqlite::Statement& row) {
                          due.push_back({std::string(row.column_text(0)),
                                         std::string(row.column_text(1)),
                                         std::string(row.column_text(2))});
                        });
      !s)
    return s.error();
  std::vector<std::string> ids;
  for (const Due& d : due) ids.push_back(d.application_id);
  if (request.dry_run || due.empty()) return ids;
  // Deleted content is overwritten in the file too: sealed or not, the
  // images must not outlive their retention in free pages. Only here: on
  // every path out the connection goes back to plain (faster) deletes.
  if (auto s = sqlite::exec(impl_->db.get(), "PRAGMA secure_delete = ON"); !s) return s.error();
  struct PlainDeletesAfter {
    sqlite3* db;
    ~PlainDeletesAfter() { (void)sqlite::exec(db, "PRAGMA secure_delete = OFF"); }
  } plain_after{impl_->db.get()};
  if (auto s = impl_->audit.begin(); !s) return s.error();
  const std::string at = now();
  for (const Due& d : due) {
    if (auto s = run(*impl_,
                     "UPDATE application_images SET photo = NULL, id_front = NULL, id_back = "
                     "NULL WHERE application_id = ?1",
                     d.application_id);
        !s)
      return s.error();
    if (auto s = impl_->audit.append(
            {at, request.actor, "retention.purged", d.application_id,
             fmt::format("photo and ID-card images deleted ({} since {})", d.state, d.since)});
        !s)
      return s.error();
  }
  if (auto s = impl_->commit(*tx); !s) return s.error();
  // The old pages live on in the write-ahead log until a checkpoint copies
  // the overwritten ones into the file and empties the log.
  if (auto s = sqlite::exec(impl_->db.get(), "PRAGMA wal_checkpoint(TRUNCATE)"); !s)
    return s.error();
  return ids;
}

}  // namespace cardd::db
