// Pulls approved applications from the bureau until caught up. The cursor is
// stored with each page's applications in one transaction, so a pull that
// stops anywhere (crash, bureau down) resumes with no gap and no duplicate.
// A page whose `next` does not move forward (equal to the cursor sent, or to
// any cursor seen earlier in this pull) stops the pull with
// BureauError::bad_cursor before the page is stored: the stored cursor stays.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cardd/common/result.h"
#include "cardd/server/bureau_client.h"
#include "cardd/server/intake.h"

namespace cardd::server {

struct PullOptions {
  int page_limit = 100;
  std::string source = "bureau";  // names the stored cursor
  std::string actor = "pull";
  // Stop after this many pages even when not caught up (0 = no limit).
  std::int64_t max_pages = 0;
  // Called after each stored page.
  std::function<void(const IntakeSummary& so_far, std::int64_t pages)> on_page;
};

struct PullResult {
  IntakeSummary summary;
  std::int64_t pages = 0;
  bool caught_up = false;
  std::string cursor;  // where the next pull starts
  Status status;       // why the pull stopped early, when it did
};

PullResult pull_approved(const BureauClient& bureau, Intake& intake,
                         db::ApplicationRepository& store, const PullOptions& options);

}  // namespace cardd::server
