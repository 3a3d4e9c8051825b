// HTTP API tokens (TokenRepository): hashes only, audited.
#include <fmt/format.h>

#include "cardd/db/store.h"
#include "store_impl.h"
#include "store_sql.h"

namespace cardd::db {
namespace {

ApiToken token_of(const sqlite::Statement& r) {
  return ApiToken{r.column_int(0),
                  std::string(r.column_text(1)),
                  std::string(r.column_text(2)),
                  std::string(r.column_text(3)),
                  std::string(r.column_text(4)),
                  std::string(r.column_text(5)),
                  std::string(r.column_text(6)),
                  std::string(r.column_text(7))};
}

}  // namespace

Result<std::int64_t> Store::add_token(const NewApiToken& token, std::string_view actor) {
  std::int64_t id = 0;
  Status s = in_transaction(*impl_, [&]() -> Status {
    auto seen = impl_->statement("SELECT 1 FROM api_tokens WHERE hash = ?1");
    if (!seen) return seen.error();
    (*seen)->bind(1, token.hash);
    auto row = (*seen)->step();
    (*seen)->reset();
    if (!row) return row.error();
    if (*row) return make_error(DbError::conflict, "a token with this hash exists already");
    const std::string at = now();
    if (auto r =
            run(*impl_,
                "INSERT INTO api_tokens(hash, role, branch, label, created_by, created_at, "
                "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                token.hash, token.role, token.branch, token.label, actor, at, token.expires_at);
        !r)
      return r;
    id = sqlite3_last_insert_rowid(impl_->db.get());
    if (auto r = impl_->audit.begin(); !r) return r;
    return impl_->audit.append(
        {at, std::string(actor), "token.create", fmt::format("token {}", id),
         fmt::format("role {}{}{}", token.role, token.branch.empty() ? "" : " branch ",
                     token.branch) +
             (token.expires_at.empty() ? "" : ", expires " + token.expires_at)});
  });
  if (!s) return s.error();
  return id;
}

Result<std::optional<ApiToken>> Store::token_by_hash(std::string_view hash) {
  std::lock_guard lock(impl_->mutex);
  // Statements are cached by their SQL text: literals only.
  auto stmt = impl_->statement(
      "SELECT token_id, role, branch, label, created_by, created_at, expires_at, revoked_at "
      "FROM api_tokens WHERE hash = ?1");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, hash);
  std::optional<ApiToken> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) { out = token_of(r); });
  if (!s) return s.error();
  return out;
}

Result<std::vector<ApiToken>> Store::tokens() {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT token_id, role, branch, label, created_by, created_at, expires_at, revoked_at "
      "FROM api_tokens ORDER BY token_id");
  if (!stmt) return stmt.error();
  std::vector<ApiToken> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) { out.push_back(token_of(r)); });
  if (!s) return s.error();
  return out;
}

Status Store::revoke_token(std::int64_t id, std::string_view actor) {
  return in_transaction(*impl_, [&]() -> Status {
    auto stmt = impl_->statement("SELECT revoked_at FROM api_tokens WHERE token_id = ?1");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, id);
    std::optional<std::string> revoked;
    if (Status s = each_row(
            **stmt, [&](const sqlite::Statement& r) { revoked = std::string(r.column_text(0)); });
        !s)
      return s;
    if (!revoked) return make_error(DbError::not_found, fmt::format("no token {}", id));
    if (!revoked->empty()) return {};
    const std::string at = now();
    if (auto s = run(*impl_, "UPDATE api_tokens SET revoked_at = ?2 WHERE token_id = ?1", id, at);
        !s)
      return s;
    if (auto s = impl_->audit.begin(); !s) return s;
    return impl_->audit.append(
        {at, std::string(actor), "token.revoke", fmt::format("token {}", id), ""});
  });
}

}  // namespace cardd::db
