#include "cardd/db/error.h"
#include "cardd/common/error_category.h"

#include <string>

namespace cardd::db {
namespace {

std::string_view to_string(DbError e) {
  switch (e) {
    case DbError::open_failed:
      return "open_failed";
    case DbError::migration_failed:
      return "migration_failed";
    case DbError::busy:
      return "busy";
    case DbError::io:
      return "io";
    case DbError::corrupt:
      return "corrupt";
    case DbError::not_found:
      return "not_found";
    case DbError::illegal_transition:
      return "illegal_transition";
    case DbError::conflict:
      return "conflict";
    case DbError::internal:
      return "internal";
    case DbError::not_in_stock:
      return "not_in_stock";
    case DbError::card_used:
      return "card_used";
    case DbError::exhausted:
      return "exhausted";
    case DbError::no_database:
      return "no_database";
    case DbError::no_sealer:
      return "no_sealer";
    case DbError::unsealable:
      return "unsealable";
    case DbError::no_audit_signer:
      return "no_audit_signer";
    case DbError::unknown_audit_key:
      return "unknown_audit_key";
    case DbError::claim_held:
      return "claim_held";
    case DbError::claim_lost:
      return "claim_lost";
  }
  return {};
}

}  // namespace

const std::error_category& db_category() {
  static const ErrorCategory<DbError> category("db", to_string);
  return category;
}

}  // namespace cardd::db
