#include "cardd/db/error.h"

#include <string>

namespace cardd::db {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "db"; }
  std::string message(int code) const override {
    switch (static_cast<DbError>(code)) {
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
    }
    return "unknown";
  }
};

}  // namespace

const std::error_category& db_category() {
  static const Category category;
  return category;
}

}  // namespace cardd::db
