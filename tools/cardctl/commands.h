// cardctl subcommands. Each add_*_command registers one subcommand on the
// root app; its callback stores the process exit code in `exit_code`:
// 0 done, 1 the operation failed, 2 bad usage or unreadable input.
#pragma once

#include <CLI/CLI.hpp>

namespace cardd::cardctl {

void add_validate_command(CLI::App& app, int& exit_code);
void add_import_command(CLI::App& app, int& exit_code);
void add_pull_command(CLI::App& app, int& exit_code);
void add_push_command(CLI::App& app, int& exit_code);
void add_status_command(CLI::App& app, int& exit_code);
void add_gen_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_audit_command(CLI::App& app, int& exit_code);
void add_keys_command(CLI::App& app, int& exit_code);
// `keys init-storage`, under the `keys` command add_keys_command made.
void add_keys_storage_command(CLI::App& app, int& exit_code);
void add_render_command(CLI::App& app, int& exit_code);
void add_encode_command(CLI::App& app, int& exit_code);
void add_stock_command(CLI::App& app, int& exit_code);
void add_readers_command(CLI::App& app, int& exit_code);
void add_fulfil_command(CLI::App& app, int& exit_code);
void add_line_command(CLI::App& app, int& exit_code);
void add_tokens_command(CLI::App& app, int& exit_code);
void add_purge_command(CLI::App& app, int& exit_code);

}  // namespace cardd::cardctl
