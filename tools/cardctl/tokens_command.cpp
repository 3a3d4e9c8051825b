// cardctl tokens create --role ROLE [--branch CODE] [--expires 30d|RFC3339]
// [--label TEXT], tokens list, tokens revoke ID: the HTTP API's bearer
// tokens. A new token is printed once; the database keeps only its hash.
#include <fmt/format.h>

#include <iostream>

#include "cardd/common/actor.h"
#include "cardd/common/civil_time.h"
#include "cardd/server/api_tokens.h"
#include "center_options.h"
#include "commands.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct TokenArgs {
  CenterOptions center;
  std::string role, branch, label, expires;
  std::int64_t id = 0;
};

// "30d", "12h" from now, or an RFC 3339 time; "" never. nullopt when neither.
std::optional<std::string> expiry(const std::string& text) {
  if (text.empty()) return std::string();
  if (const auto at = parse_rfc3339(text)) return format_rfc3339_utc(*at);
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  std::int64_t n = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || n > 100'000) return std::nullopt;
    n = n * 10 + (text[i] - '0');
  }
  if (n == 0 || (unit != 'd' && unit != 'h')) return std::nullopt;
  return format_rfc3339_utc(unix_now() + n * (unit == 'd' ? 86'400 : 3'600));
}

int open(const TokenArgs& a, SealedStore& out) {
  Center where;
  if (const int rc = locate(a.center, "tokens", where); rc != 0) return rc;
  return open_audited_store(where.hsm, where.db, false, out);
}

int run_create(const TokenArgs& a) {
  const auto expires = expiry(a.expires);
  if (!expires) {
    std::cerr << "cardctl: --expires '" << a.expires
              << "': expected a duration (30d, 12h) or an RFC 3339 time\n";
    return 2;
  }
  SealedStore opened;
  if (const int rc = open(a, opened); rc != 0) return rc;
  auto made = server::create_api_token(*opened.store, a.role, a.branch, a.label, *expires,
                                       local_actor("cardctl tokens"));
  if (!made) {
    std::cerr << "cardctl: " << made.error().describe() << "\n";
    return made.error().code == server::ConfigError::invalid ? 2 : 1;
  }
  std::cerr << fmt::format("token {} (role {}{}{}): shown once, only its hash is kept\n", made->id,
                           a.role, a.branch.empty() ? "" : ", branch " + a.branch,
                           expires->empty() ? "" : ", expires " + *expires);
  std::cout << made->token << "\n";
  return 0;
}

int run_list(const TokenArgs& a) {
  SealedStore opened;
  if (const int rc = open(a, opened); rc != 0) return rc;
  auto tokens = opened.store->tokens();
  if (!tokens) {
    std::cerr << "cardctl: " << tokens.error().describe() << "\n";
    return 1;
  }
  std::cout << fmt::format("{:>4}  {:<9} {:<8} {:<22} {:<22} {:<22} {}\n", "id", "role", "branch",
                           "created", "expires", "revoked", "label");
  for (const auto& t : *tokens)
    std::cout << fmt::format("{:>4}  {:<9} {:<8} {:<22} {:<22} {:<22} {}\n", t.id, t.role,
                             t.branch.empty() ? "-" : t.branch, t.created_at,
                             t.expires_at.empty() ? "never" : t.expires_at,
                             t.revoked_at.empty() ? "-" : t.revoked_at, t.label);
  return 0;
}

int run_revoke(const TokenArgs& a) {
  SealedStore opened;
  if (const int rc = open(a, opened); rc != 0) return rc;
  if (auto s = opened.store->revoke_token(a.id, local_actor("cardctl tokens")); !s) {
    std::cerr << "cardctl: " << s.error().describe() << "\n";
    return 1;
  }
  std::cout << fmt::format("token {} revoked\n", a.id);
  return 0;
}

}  // namespace

void add_tokens_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TokenArgs>();
  auto* cmd = app.add_subcommand("tokens", "Bearer tokens of cardd's HTTP API");
  cmd->require_subcommand(1);
  cmd->fallthrough();
  args->center.add_to(*cmd);
  auto* create = cmd->add_subcommand("create", "Make a token; it is printed once");
  create->add_option("--role", args->role, "bureau, operator, branch, courier or admin")
      ->required();
  create->add_option("--branch", args->branch, "the branch code (role branch only)");
  create->add_option("--label", args->label, "who or what holds it");
  create->add_option("--expires", args->expires, "30d, 12h or an RFC 3339 time (default: never)");
  create->callback([args, &exit_code] { exit_code = run_create(*args); });
  cmd->add_subcommand("list", "Every token: role, branch, created, expires, revoked")
      ->callback([args, &exit_code] { exit_code = run_list(*args); });
  auto* revoke = cmd->add_subcommand("revoke", "Revoke a token by its id");
  revoke->add_option("id", args->id, "the token's id (tokens list)")->required();
  revoke->callback([args, &exit_code] { exit_code = run_revoke(*args); });
}

}  // namespace cardd::cardctl
