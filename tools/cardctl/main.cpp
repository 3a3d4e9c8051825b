// cardctl: the operator's command line for cardd.
#include <CLI/CLI.hpp>
#include <optional>

#include "cardd/common/logging.h"
#include "commands.h"
#include "json_errors.h"

int main(int argc, char** argv) {
  CLI::App app{"cardctl - operator tool for the cardd card issuance service"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->envname("CARDD_LOG_LEVEL");
  std::string log_file;
  app.add_option("--log-file", log_file, "also write the log to this file");
  app.parse_complete_callback([&] { cardd::configure_logging(log_level, log_file); });

  int exit_code = 0;
  cardd::cardctl::add_validate_command(app, exit_code);
  cardd::cardctl::add_import_command(app, exit_code);
  cardd::cardctl::add_pull_command(app, exit_code);
  cardd::cardctl::add_push_command(app, exit_code);
  cardd::cardctl::add_status_command(app, exit_code);
  cardd::cardctl::add_gen_command(app, exit_code);
  cardd::cardctl::add_report_command(app, exit_code);
  cardd::cardctl::add_audit_command(app, exit_code);
  cardd::cardctl::add_keys_command(app, exit_code);
  cardd::cardctl::add_keys_storage_command(app, exit_code);
  cardd::cardctl::add_render_command(app, exit_code);
  cardd::cardctl::add_encode_command(app, exit_code);
  cardd::cardctl::add_stock_command(app, exit_code);
  cardd::cardctl::add_readers_command(app, exit_code);
  cardd::cardctl::add_fulfil_command(app, exit_code);
  cardd::cardctl::add_line_command(app, exit_code);
  cardd::cardctl::add_tokens_command(app, exit_code);
  cardd::cardctl::add_purge_command(app, exit_code);

  std::optional<cardd::cardctl::JsonErrors> json_errors;
  if (cardd::cardctl::wants_json(argc, argv)) json_errors.emplace();
  const auto answer = [&](int rc) { return json_errors ? json_errors->finish(rc) : rc; };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return answer(rc == 0 ? 0 : 2);
  }
  return answer(exit_code);
}
