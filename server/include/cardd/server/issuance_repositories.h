// What issuance and printing need of the store: applications, cards and the
// audit log. Taken from one object that implements all three (the SQLite
// db::Store converts implicitly, so callers pass their store as before) or
// given one by one, e.g. by a second implementation.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/application_repository.h"
#include "cardd/db/audit_repository.h"
#include "cardd/db/card_repository.h"

namespace cardd::server {

struct IssuanceRepositories {
  template <class S>
  requires std::derived_from<S, db::ApplicationRepository> &&
      std::derived_from<S, db::CardRepository> && std::derived_from<S, db::AuditRepository>
      IssuanceRepositories(S& store)  // NOLINT(google-explicit-constructor): callers pass a store
      : applications(store), cards(store), audit_log(store) {}
  IssuanceRepositories(db::ApplicationRepository& a, db::CardRepository& c, db::AuditRepository& l)
      : applications(a), cards(c), audit_log(l) {}

  db::ApplicationRepository& applications;
  db::CardRepository& cards;
  db::AuditRepository& audit_log;
};

// The chip of the application's card that is written and on its way
// (encoded, not yet finished). Errors: db.corrupt when there is none.
Result<std::string> encoded_chip(db::CardRepository& cards, std::string_view application_id);

}  // namespace cardd::server
