// spdlog formatter writing one JSON object a line (JSON Lines), so a log
// collector needs no pattern parsing: {"time":"2026-11-30T13:10:00.123Z",
// "level":"info","logger":"cardd","msg":"ready"}.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace cardd {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace cardd
