#include "cardd/server/retention.h"

namespace cardd::server {
namespace {

constexpr std::int64_t kBatch = 500;
constexpr UnixSeconds kDay = 86'400;

}  // namespace

Result<std::vector<std::string>> purge_expired_images(db::ApplicationRepository& applications,
                                                      const RetentionRun& run) {
  db::PurgeRequest request;
  request.before = format_rfc3339_utc(run.now - run.image_days * kDay);
  request.actor = run.actor;
  request.dry_run = run.dry_run;
  // A dry run asks once for everything: nothing changes between batches.
  request.limit = run.dry_run ? std::numeric_limits<std::int64_t>::max() : kBatch;
  std::vector<std::string> all;
  while (true) {
    auto batch = applications.purge_images(request);
    if (!batch) return batch.error();
    all.insert(all.end(), batch->begin(), batch->end());
    if (run.dry_run || static_cast<std::int64_t>(batch->size()) < kBatch) return all;
  }
}

}  // namespace cardd::server
