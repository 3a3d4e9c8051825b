#include "sealed_store.h"

#include <iostream>

#include "cardd/db/error.h"
#include "cli_support.h"

namespace cardd::cardctl {

int open_store_with_keys(const std::string& db_path, bool create, bool with_sealer,
                         SealedStore& out) {
  const Status opened = server::open_keyed_store(db_path, create, with_sealer, out);
  if (opened) return 0;
  const Error& e = opened.error();
  if (e.code == db::DbError::no_database) {
    check_database_exists(db_path);  // says so, as every command does
    return 2;
  }
  if (e.code.category() == db::db_category())
    std::cerr << "cardctl: cannot open database " << db_path << ": " << e.describe() << "\n";
  else
    std::cerr << "cardctl: " << e.describe() << "\n";
  return 1;
}

int open_sealed_store(const HsmOptions& hsm_options, const std::string& db_path, bool create,
                      SealedStore& out) {
  if (!create)
    if (const int rc = check_database_exists(db_path); rc != 0) return rc;
  out.hsm = hsm_options.open();
  if (!out.hsm) return 1;
  return open_store_with_keys(db_path, create, true, out);
}

int open_audited_store(const HsmOptions& hsm_options, const std::string& db_path, bool create,
                       SealedStore& out) {
  // A mistyped --db is said as such, before the HSM is asked for anything.
  if (!create)
    if (const int rc = check_database_exists(db_path); rc != 0) return rc;
  out.hsm = hsm_options.open();
  if (!out.hsm) return 1;
  return open_store_with_keys(db_path, create, false, out);
}

}  // namespace cardd::cardctl
