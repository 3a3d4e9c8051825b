#include "cli_support.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

namespace cardd::cardctl {

namespace {

void say_no_database(const std::string& path) {
  std::cerr << "cardctl: db.no_database: database " << path
            << " does not exist (check --db; commands that take work in create it)\n";
}

}  // namespace

int check_database_exists(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return 0;
  say_no_database(path);
  return 2;
}

std::unique_ptr<db::Store> open_store(const std::string& path, OpenStore how, int& exit_code) {
  db::StoreOptions options;
  options.create_if_missing = how.create;
  options.sealer = how.sealer;
  options.audit_signer = how.signer;
  auto store = db::Store::open(path, options);
  if (!store) {
    if (store.error().code == db::DbError::no_database) {
      say_no_database(path);
      exit_code = 2;
    } else {
      std::cerr << "cardctl: cannot open database " << path << ": " << store.error().describe()
                << "\n";
      exit_code = 1;
    }
    return nullptr;
  }
  return std::move(*store);
}

std::optional<JsonlReader> JsonlReader::open(const std::string& path) {
  JsonlReader reader;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::cerr << "cardctl: cannot read " << path << ": is a directory\n";
    return std::nullopt;
  }
  reader.in_.open(path, std::ios::binary);
  if (!reader.in_) {
    std::cerr << "cardctl: cannot read " << path << ": " << std::strerror(errno) << "\n";
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(path, ec);
  reader.size_ = ec ? 0 : size;
  return reader;
}

bool JsonlReader::next(std::string& line) {
  while (std::getline(in_, line)) {
    ++line_number_;
    bytes_read_ += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) return true;
  }
  return false;
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
  if (enabled_ && last_percent_ >= 0) std::cerr << "\n";
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total, std::int64_t items) {
  if (!enabled_ || total == 0) return;
  const int percent = static_cast<int>(std::min<std::uint64_t>(100, done * 100 / total));
  if (percent == last_percent_) return;
  last_percent_ = percent;
  constexpr int kWidth = 30;
  const int filled = percent * kWidth / 100;
  std::cerr << fmt::format("\r{} [{}{}] {:3}%  {} applications", label_,
                           std::string(static_cast<std::size_t>(filled), '#'),
                           std::string(static_cast<std::size_t>(kWidth - filled), '.'), percent,
                           items)
            << std::flush;
}

}  // namespace cardd::cardctl
