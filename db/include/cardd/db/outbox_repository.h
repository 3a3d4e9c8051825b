// The outbox: status changes waiting to be reported to the bureau. Messages
// are written by the same transaction as the state change they report
// (ApplicationRepository), so none is lost or reported for a change that did
// not happen.
//
// Thread safety: as ApplicationRepository.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/error.h"

namespace cardd::db {

struct OutboxMessage {
  std::int64_t seq = 0;
  std::string application_id;
  std::string event_id;
  std::string payload;  // JSON
  std::int64_t attempts = 0;
};

class OutboxRepository {
 public:
  virtual ~OutboxRepository() = default;

  // The oldest unsent messages, at most `limit`, in the order they were written.
  virtual Result<std::vector<OutboxMessage>> pending_outbox(std::int64_t limit) = 0;
  // Every message after `after_seq` (sent or not), at most `limit`, in
  // order: the pull-side mirror of the push (GET /api/v1/status-changes).
  virtual Result<std::vector<OutboxMessage>> outbox_after(std::int64_t after_seq,
                                                          std::int64_t limit) = 0;
  // How many messages are waiting.
  virtual Result<std::int64_t> outbox_backlog() = 0;
  // How many messages were ever written (sent or not): one per state change.
  virtual Result<std::int64_t> outbox_total() = 0;
  // The bureau has message `seq`: it leaves the backlog.
  virtual Status mark_sent(std::int64_t seq) = 0;
  // One more attempt at message `seq` failed; it stays in the backlog.
  virtual Status mark_attempt_failed(std::int64_t seq) = 0;

 protected:
  OutboxRepository() = default;
  OutboxRepository(const OutboxRepository&) = default;
  OutboxRepository& operator=(const OutboxRepository&) = default;
};

}  // namespace cardd::db
