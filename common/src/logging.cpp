#include "cardd/common/logging.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "json_log_formatter.h"

namespace cardd {
namespace {

void warn(spdlog::sink_ptr& sink, const std::string& text) {
  sink->log(spdlog::details::log_msg("cardd", spdlog::level::warn, text));
}

// Creates the file owner-only before spdlog opens it (spdlog would take the
// umask's mode), and takes group and other access away from an existing one.
void make_private(const std::string& file, spdlog::sink_ptr& stderr_sink) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;  // spdlog reports the failure to open
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    if (::fchmod(fd, S_IRUSR | S_IWUSR) == 0)
      warn(stderr_sink,
           fmt::format("log file {} had mode {:04o}; now 0600", file, st.st_mode & 07777));
    else
      warn(stderr_sink, fmt::format("log file {} has mode {:04o} and cannot be made 0600: {}", file,
                                    st.st_mode & 07777, std::strerror(errno)));
  }
  ::close(fd);
}

}  // namespace

void configure_logging(const std::string& level, const std::string& file, LogFormat format) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!file.empty()) {
    make_private(file, sinks.front());
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file));
    } catch (const spdlog::spdlog_ex& e) {
      // Logging must never take the process down; say so on stderr and go on.
      warn(sinks.front(), std::string("cannot open log file: ") + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("cardd", sinks.begin(), sinks.end());
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::warn;
  logger->set_level(lvl);
  if (format == LogFormat::json) logger->set_formatter(std::make_unique<JsonLogFormatter>());
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace cardd
