#include "cardd/server/api_tokens.h"

#include <openssl/rand.h>

#include <array>

#include "cardd/common/base64.h"
#include "cardd/common/sha256.h"
#include "cardd/server/service_config.h"

namespace cardd::server {

bool known_api_role(std::string_view role) {
  for (std::string_view r : {"bureau", "operator", "branch", "courier", "admin"})
    if (r == role) return true;
  return false;
}

std::string api_token_hash(std::string_view token) { return to_hex(sha256(token)); }

Result<CreatedToken> create_api_token(db::TokenRepository& tokens, std::string_view role,
                                      std::string_view branch, std::string_view label,
                                      std::string_view expires_at, std::string_view actor) {
  if (!known_api_role(role))
    return make_error(
        ConfigError::invalid,
        "role '" + std::string(role) + "': expected bureau, operator, branch, courier or admin");
  if ((role == "branch") != !branch.empty())
    return make_error(ConfigError::invalid, "a branch code is given exactly for role branch");
  std::array<unsigned char, 32> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    return make_error(ConfigError::invalid, "no random bytes for the token");
  // base64url without padding: safe in a header and a shell.
  std::string token =
      base64_encode(std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
  while (!token.empty() && token.back() == '=') token.pop_back();
  for (char& c : token) c = c == '+' ? '-' : c == '/' ? '_' : c;
  token = "cardd_" + token;
  auto id = tokens.add_token({api_token_hash(token), std::string(role), std::string(branch),
                              std::string(label), std::string(expires_at)},
                             actor);
  if (!id) return id.error();
  return CreatedToken{*id, std::move(token)};
}

}  // namespace cardd::server
