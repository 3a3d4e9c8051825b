#include "line_control_worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>

namespace cardd::server {
namespace {

// A report that did not change is written again after this many polls, so
// `cardctl line status` can tell a live daemon from a stopped one.
constexpr int kReportEvery = 5;

std::string this_process() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return fmt::format("{}/{}", host.data(), ::getpid());
}

bool same(const db::SlotReport& a, const db::SlotReport& b) {
  return a.line == b.line && a.slot == b.slot && a.reader == b.reader && a.activity == b.activity &&
         a.application == b.application && a.paused == b.paused && a.made == b.made &&
         a.spoiled == b.spoiled;
}

}  // namespace

LineControlWorker::LineControlWorker(db::LineControlRepository& controls, ProductionLines& lines,
                                     std::chrono::milliseconds interval)
    : Worker("line control"),
      controls_(controls),
      lines_(lines),
      interval_(interval),
      reporter_(this_process()) {}

void LineControlWorker::run() {
  while (!wait_for(interval_)) poll();
}

void LineControlWorker::poll() {
  auto controls = controls_.line_controls();
  if (!controls) {
    // Logged once per outage: the lines keep their last flags meanwhile.
    if (!read_failed_) spdlog::warn("line controls: {}", controls.error().describe());
    read_failed_ = true;
    return;
  }
  read_failed_ = false;
  for (const SlotStatus& s : lines_.status()) {
    const bool want = db::paused(*controls, s.line, s.slot);
    auto [it, first] = applied_.try_emplace(std::pair(s.line, s.slot), want);
    if (!first && it->second == want) continue;
    it->second = want;
    if (first && !want) continue;  // nothing to undo at start
    if (auto done = want ? lines_.pause(s.line, s.slot) : lines_.resume(s.line, s.slot); done)
      spdlog::info("{} slot '{}': {} by the operator", s.line, s.slot, want ? "paused" : "resumed");
  }
  report(lines_.status());
}

void LineControlWorker::report(const std::vector<SlotStatus>& slots) {
  if (slots.empty()) return;  // a daemon without lines has nothing to say
  std::vector<db::SlotReport> now;
  for (const SlotStatus& s : slots) {
    db::SlotReport r;
    r.line = s.line;
    r.slot = s.slot;
    r.reader = s.reader;
    r.activity = s.activity;
    r.application = s.application;
    r.paused = s.paused;
    r.made = s.made;
    r.spoiled = s.spoiled;
    r.reporter = reporter_;
    now.push_back(std::move(r));
  }
  const bool changed = now.size() != last_report_.size() ||
                       !std::equal(now.begin(), now.end(), last_report_.begin(), same);
  if (!changed && ++polls_since_report_ < kReportEvery) return;
  if (auto s = controls_.report_slots(now); !s) {
    spdlog::debug("line controls: report: {}", s.error().describe());
    return;
  }
  polls_since_report_ = 0;
  last_report_ = std::move(now);
}

}  // namespace cardd::server
