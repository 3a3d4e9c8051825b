// Small pieces the cardctl subcommands share.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "cardd/db/store.h"

namespace cardd::cardctl {

struct OpenStore {
  // Only commands that take work in create a missing database.
  bool create = false;
  db::Sealer* sealer = nullptr;       // needed to store or read personal data
  db::AuditSigner* signer = nullptr;  // needed to write or verify the audit log
};

// Opens (and migrates) the database; prints the reason and returns nullptr
// when it cannot, setting `exit_code` (2 when the file does not exist, 1
// otherwise).
std::unique_ptr<db::Store> open_store(const std::string& path, OpenStore how, int& exit_code);
// 0 when the database file exists; else prints what open_store() prints and
// returns 2 (for commands that open the HSM first).
int check_database_exists(const std::string& path);

// Reads a JSON Lines file one line at a time; blank lines are skipped but
// counted, so line numbers match what an editor shows.
class JsonlReader {
 public:
  // nullopt (and a message on stderr) when the file cannot be opened.
  static std::optional<JsonlReader> open(const std::string& path);
  // False at the end of the file.
  bool next(std::string& line);
  std::int64_t line_number() const { return line_number_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t size() const { return size_; }
  bool failed() const { return in_.bad(); }

 private:
  std::ifstream in_;
  std::int64_t line_number_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t size_ = 0;
};

// A progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void update(std::uint64_t done, std::uint64_t total, std::int64_t items);

 private:
  std::string label_;
  bool enabled_;
  int last_percent_ = -1;
};

}  // namespace cardd::cardctl
