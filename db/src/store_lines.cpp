// Line and slot pause flags and the daemon's slot heartbeats
// (LineControlRepository).
#include <fmt/format.h>

#include "cardd/db/store.h"
#include "store_impl.h"
#include "store_sql.h"

namespace cardd::db {

bool paused(const std::vector<LineControl>& controls, std::string_view line,
            std::string_view slot) {
  for (const LineControl& c : controls)
    if (c.paused && c.line == line && (c.slot.empty() || c.slot == slot)) return true;
  return false;
}

Status Store::set_paused(std::string_view line, std::string_view slot, bool paused,
                         std::string_view actor) {
  return in_transaction(*impl_, [&]() -> Status {
    const std::string at = now();
    if (auto s = run(*impl_,
                     "INSERT INTO line_controls(line, slot, paused, changed_by, changed_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(line, slot) DO UPDATE SET "
                     "paused = ?3, changed_by = ?4, changed_at = ?5",
                     line, slot, static_cast<std::int64_t>(paused), actor, at);
        !s)
      return s;
    // "Resume the line" means every slot of it; a slot's own pause would
    // otherwise outlive it unseen.
    if (slot.empty() && !paused)
      if (auto s = run(*impl_,
                       "UPDATE line_controls SET paused = 0, changed_by = ?2, changed_at = ?3 "
                       "WHERE line = ?1 AND slot <> '' AND paused <> 0",
                       line, actor, at);
          !s)
        return s;
    if (auto s = impl_->audit.begin(); !s) return s;
    return impl_->audit.append({at, std::string(actor), paused ? "line.pause" : "line.resume",
                                slot.empty() ? std::string(line) : fmt::format("{}/{}", line, slot),
                                slot.empty() ? "whole line" : fmt::format("slot '{}'", slot)});
  });
}

Result<std::vector<LineControl>> Store::line_controls() {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT line, slot, paused, changed_by, changed_at FROM line_controls ORDER BY line, slot");
  if (!stmt) return stmt.error();
  std::vector<LineControl> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) {
    out.push_back({std::string(r.column_text(0)), std::string(r.column_text(1)),
                   r.column_int(2) != 0, std::string(r.column_text(3)),
                   std::string(r.column_text(4))});
  });
  if (!s) return s.error();
  return out;
}

Status Store::report_slots(const std::vector<SlotReport>& slots) {
  return in_transaction(*impl_, [&]() -> Status {
    const std::string at = now();
    for (const SlotReport& r : slots)
      if (auto s = run(*impl_,
                       "INSERT OR REPLACE INTO slot_reports(line, slot, reader, activity, "
                       "application, paused, made, spoiled, reporter, reported_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                       r.line, r.slot, r.reader, r.activity, r.application,
                       static_cast<std::int64_t>(r.paused), r.made, r.spoiled, r.reporter, at);
          !s)
        return s;
    return {};
  });
}

Result<std::vector<SlotReport>> Store::slot_reports() {
  std::lock_guard lock(impl_->mutex);
  auto stmt = impl_->statement(
      "SELECT line, slot, reader, activity, application, paused, made, spoiled, reporter, "
      "reported_at FROM slot_reports ORDER BY line, slot");
  if (!stmt) return stmt.error();
  std::vector<SlotReport> out;
  Status s = each_row(**stmt, [&](const sqlite::Statement& r) {
    SlotReport x;
    x.line = r.column_text(0);
    x.slot = r.column_text(1);
    x.reader = r.column_text(2);
    x.activity = r.column_text(3);
    x.application = r.column_text(4);
    x.paused = r.column_int(5) != 0;
    x.made = r.column_int(6);
    x.spoiled = r.column_int(7);
    x.reporter = r.column_text(8);
    x.reported_at = r.column_text(9);
    out.push_back(std::move(x));
  });
  if (!s) return s.error();
  return out;
}

}  // namespace cardd::db
