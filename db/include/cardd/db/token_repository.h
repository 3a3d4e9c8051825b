// Bearer tokens of the HTTP API. The store keeps a hash of each token, never
// the token: whoever reads the database cannot call the API. Creating and
// revoking are audited; a token is never deleted, only revoked.
//
// Thread safety: as ApplicationRepository.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/error.h"

namespace cardd::db {

struct ApiToken {
  std::int64_t id = 0;
  std::string role;
  std::string branch;  // the branch a 'branch' token acts for; else empty
  std::string label;   // who or what holds it, for the operators
  std::string created_by;
  std::string created_at;  // RFC 3339 UTC
  std::string expires_at;  // RFC 3339 UTC; empty: never
  std::string revoked_at;  // RFC 3339 UTC; empty: in use
};

struct NewApiToken {
  std::string hash;  // of the token; the caller makes and hashes it
  std::string role;
  std::string branch;
  std::string label;
  std::string expires_at;
};

class TokenRepository {
 public:
  virtual ~TokenRepository() = default;

  // Stores the token's hash with an audit entry (token.create); its id.
  // Errors: conflict (the hash is already stored), no_audit_signer, io.
  virtual Result<std::int64_t> add_token(const NewApiToken& token, std::string_view actor) = 0;
  // The token with this hash, revoked or expired ones included (the caller
  // decides); nullopt when none.
  virtual Result<std::optional<ApiToken>> token_by_hash(std::string_view hash) = 0;
  // Every token, oldest first.
  virtual Result<std::vector<ApiToken>> tokens() = 0;
  // Audited (token.revoke). not_found for an unknown id; revoking a revoked
  // token changes nothing and succeeds.
  virtual Status revoke_token(std::int64_t id, std::string_view actor) = 0;

 protected:
  TokenRepository() = default;
  TokenRepository(const TokenRepository&) = default;
  TokenRepository& operator=(const TokenRepository&) = default;
};

}  // namespace cardd::db
