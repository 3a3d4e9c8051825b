// Bearer tokens of the HTTP API (spec/api.md): made here, shown once, kept
// only as a hash (db::TokenRepository).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/token_repository.h"

namespace cardd::server {

// The roles of spec/api.md.
bool known_api_role(std::string_view role);

// What is stored of a token: SHA-256, lower-case hex. The token carries 256
// random bits, so a plain hash is as strong as a slow one would be.
std::string api_token_hash(std::string_view token);

struct CreatedToken {
  std::int64_t id = 0;
  std::string token;  // "cardd_" + 43 base64url characters; never stored
};

// A new random token for `role` (and `branch`, required exactly for role
// branch), valid until `expires_at` (RFC 3339 UTC, empty: never), stored
// hashed with an audit entry. Errors: config.invalid for a bad role or
// branch, the store's.
Result<CreatedToken> create_api_token(db::TokenRepository& tokens, std::string_view role,
                                      std::string_view branch, std::string_view label,
                                      std::string_view expires_at, std::string_view actor);

}  // namespace cardd::server
