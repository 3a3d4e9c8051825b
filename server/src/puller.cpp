#include "cardd/server/puller.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

namespace cardd::server {

PullResult pull_approved(const BureauClient& bureau, Intake& intake,
                         db::ApplicationRepository& store, const PullOptions& options) {
  PullResult result;
  auto stored = store.cursor(options.source);
  if (!stored) {
    result.status = stored.error();
    return result;
  }
  result.cursor = stored->value_or("");
  // A cursor stored before these checks existed may be unusable: say so
  // rather than send it (a huge one fails as a misleading "Broken pipe").
  if (!result.cursor.empty()) {
    if (auto usable = check_cursor(result.cursor); !usable) {
      result.status = make_error(BureauError::bad_cursor,
                                 "the stored cursor is not usable: " + usable.error().message);
      return result;
    }
  }
  // Every cursor this pull has stood on: a `next` among them does not move
  // forward (a bureau repeating itself would otherwise be asked forever).
  std::set<std::string> visited{result.cursor};
  while (options.max_pages == 0 || result.pages < options.max_pages) {
    auto page = bureau.approved_applications(result.cursor, options.page_limit);
    if (!page) {
      result.status = page.error();
      return result;
    }
    if (page->applications.empty()) {
      result.caught_up = true;
      break;
    }
    if (visited.contains(page->next)) {
      result.status = make_error(
          BureauError::bad_cursor,
          fmt::format("the bureau's next cursor does not move forward ({}, page {} of this "
                      "pull); the page is not stored and the stored cursor stays",
                      page->next == result.cursor ? "it repeats the cursor sent"
                                                  : "it returns to an earlier cursor",
                      result.pages + 1));
      spdlog::error("pull: {}", result.status.error().describe());
      return result;
    }
    visited.insert(page->next);
    std::vector<std::string_view> documents(page->applications.begin(), page->applications.end());
    const IntakeSource source{options.source, options.actor, options.source, page->next};
    auto items = intake.ingest(documents, source);
    if (!items) {
      result.status = items.error();
      return result;
    }
    for (const auto& item : *items) result.summary.add(item.outcome);
    result.cursor = page->next;
    ++result.pages;
    spdlog::debug("pull: page {} stored, cursor advanced", result.pages);
    if (options.on_page) options.on_page(result.summary, result.pages);
  }
  return result;
}

}  // namespace cardd::server
