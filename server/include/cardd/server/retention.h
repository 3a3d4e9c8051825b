// Retention of the holder's images (spec/application.md: the ID card's
// photos are kept only until the card is delivered): the photo and ID-card
// images of cards DELIVERED or COLLECTED `image_days` days ago or more are
// deleted, each deletion audited; the card, its history and the audit trail
// stay. `cardctl purge` runs it by hand, the daemon daily.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cardd/common/civil_time.h"
#include "cardd/common/result.h"
#include "cardd/db/application_repository.h"

namespace cardd::server {

struct RetentionRun {
  std::int64_t image_days = 0;
  std::string actor;
  UnixSeconds now = 0;
  bool dry_run = false;
};

// Every application due at `run.now`, in batches: the ids purged (or, on a
// dry run, those that would be).
Result<std::vector<std::string>> purge_expired_images(db::ApplicationRepository& applications,
                                                      const RetentionRun& run);

}  // namespace cardd::server
