// cardctl pull --bureau URL --db PATH: pulls approved applications until
// caught up; the cursor lives in the database, so a re-run resumes.
// https:// with mutual TLS (--bureau-ca, --bureau-cert, --bureau-key);
// http:// only with --bureau-insecure-http (tests, local development).
#include <chrono>
#include <iostream>

#include "cardd/common/actor.h"
#include "cardd/server/puller.h"
#include "cli_support.h"
#include "commands.h"
#include "region_options.h"
#include "sealed_store.h"

namespace cardd::cardctl {
namespace {

struct PullArgs {
  HsmOptions hsm;
  std::string bureau;
  std::string db;
  int limit = 100;
  std::int64_t max_pages = 0;
  int timeout_ms = 10000;
  int attempts = 5;
  std::string ca_file;
  std::string certificate_file;
  std::string key_file;
  std::string signing_key_file;
  std::size_t max_page_mib = 16;
  bool insecure_http = false;
  RegionOptions region;
};

int run_pull(const PullArgs& args) {
  server::BureauOptions bureau{args.bureau, std::chrono::milliseconds(args.timeout_ms),
                               args.attempts, std::chrono::milliseconds(200),
                               std::chrono::milliseconds(5000)};
  bureau.ca_file = args.ca_file;
  bureau.certificate_file = args.certificate_file;
  bureau.key_file = args.key_file;
  bureau.signing_public_key_file = args.signing_key_file;
  bureau.max_page_bytes = args.max_page_mib * 1024u * 1024u;
  bureau.allow_plain_http = args.insecure_http;
  auto client = server::BureauClient::create(std::move(bureau));
  if (!client) {
    std::cerr << "cardctl: " << client.error().describe() << "\n";
    return 2;
  }
  const auto region = args.region.load();
  if (!region) return 2;
  SealedStore sealed;
  if (const int rc = open_sealed_store(args.hsm, args.db, true, sealed); rc != 0) return rc;
  db::Store* store = sealed.store.get();
  intake::ValidatorOptions rules;
  rules.region = region->rules;
  server::Intake intake(*store, rules);
  server::PullOptions options;
  options.page_limit = args.limit;
  options.max_pages = args.max_pages;
  options.actor = local_actor("cardctl pull");
  const server::PullResult result = server::pull_approved(*client, intake, *store, options);
  std::cout << "pulled " << result.pages << " page(s): " << result.summary.describe() << "\n";
  if (!result.status) {
    std::cerr << "cardctl: pull stopped: " << result.status.error().describe()
              << "; what was stored is kept, run again to resume\n";
    return 1;
  }
  std::cout << (result.caught_up ? "caught up" : "stopped after --max-pages; run again to continue")
            << "\n";
  return 0;
}

}  // namespace

void add_pull_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PullArgs>();
  auto* cmd =
      app.add_subcommand("pull", "Pull approved applications from the bureau until caught up");
  cmd->add_option("--bureau", args->bureau, "bureau base URL, e.g. https://bureau.example:8700")
      ->required();
  cmd->add_option("--bureau-ca", args->ca_file,
                  "the bureau's CA certificate (PEM), the only CA trusted for the bureau");
  cmd->add_option("--bureau-cert", args->certificate_file,
                  "our client certificate chain for the bureau (PEM)");
  cmd->add_option("--bureau-key", args->key_file, "the private key of --bureau-cert (PEM)");
  cmd->add_option("--bureau-signing-key", args->signing_key_file,
                  "the bureau's Ed25519 public key (PEM): every page must be signed with it");
  cmd->add_option("--max-page-mib", args->max_page_mib, "largest page accepted, in MiB")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--bureau-insecure-http", args->insecure_http,
                "accept an http:// bureau URL (no TLS): tests and local development only");
  cmd->add_option("--db", args->db, "SQLite database file")->required();
  args->region.add_to(*cmd);
  cmd->add_option("--limit", args->limit, "applications per page")->check(CLI::Range(1, 1000));
  cmd->add_option("--max-pages", args->max_pages,
                  "stop after this many pages (0: until caught up)");
  cmd->add_option("--timeout-ms", args->timeout_ms, "per-request timeout")
      ->check(CLI::Range(100, 600000));
  cmd->add_option("--attempts", args->attempts, "attempts per page on transient failures")
      ->check(CLI::Range(1, 100));
  args->hsm.add_to(*cmd);
  cmd->callback([args, &exit_code] { exit_code = run_pull(*args); });
}

}  // namespace cardd::cardctl
