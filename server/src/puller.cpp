#include "cardd/server/puller.h"

#include <spdlog/spdlog.h>

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
