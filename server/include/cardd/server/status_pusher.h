// Status back to the bureau (spec/service.md): every outbox message POSTed to
// the bureau's status endpoint, oldest first, with the idempotency key
// `application_id:seq` (its event_id). The first message the bureau does not
// take stops the round, so nothing overtakes it: the order per application
// (and overall) is kept; the next round starts with it again. A duplicate
// (the bureau had it, the mark was lost) is answered 2xx and not counted
// twice by the bureau.
#pragma once

#include <cstdint>

#include "cardd/common/result.h"
#include "cardd/db/outbox_repository.h"
#include "cardd/server/bureau_client.h"

namespace cardd::server {

struct PushReport {
  std::int64_t sent = 0;
  std::int64_t backlog = 0;  // still waiting after the round
  Status status;             // why the round stopped early, if it did
};

// Sends up to `limit` messages (0: until the backlog is empty).
PushReport push_outbox(db::OutboxRepository& outbox, const BureauClient& bureau,
                       std::int64_t limit = 0);

}  // namespace cardd::server
