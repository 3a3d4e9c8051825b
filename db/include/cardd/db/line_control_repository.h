// Operator controls of the production lines, kept in the shared database so
// that `cardctl line pause|resume` reaches a daemon on any host: a pause flag
// per line (slot empty) or per slot (its reader-name pattern), who set it
// and when, each change audited. The daemon polls the flags and writes back
// what each slot is doing (a heartbeat row per slot) for `cardctl line
// status`.
//
// A slot is paused when its line or the slot itself is (paused()). Resuming
// a whole line resumes its slots too; pausing a whole line leaves the slot
// flags as they are.
//
// Thread safety: as ApplicationRepository.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/error.h"

namespace cardd::db {

struct LineControl {
  std::string line;
  std::string slot;  // reader-name pattern; empty: the whole line
  bool paused = false;
  std::string changed_by;  // actor
  std::string changed_at;  // RFC 3339 UTC
};

// What a running daemon last said about one slot.
struct SlotReport {
  std::string line;
  std::string slot;
  std::string reader;       // "" while no reader matches
  std::string activity;     // "encoding", "reader missing", "paused", …
  std::string application;  // in hand, if any
  bool paused = false;      // as the daemon applies it
  std::int64_t made = 0;
  std::int64_t spoiled = 0;
  std::string reporter;     // host/pid of the daemon
  std::string reported_at;  // RFC 3339 UTC; set by the store
};

// Whether `slot` of `line` is paused by `controls` (its line's flag or its own).
bool paused(const std::vector<LineControl>& controls, std::string_view line, std::string_view slot);

class LineControlRepository {
 public:
  virtual ~LineControlRepository() = default;

  // Sets the pause flag of a line (slot empty) or one slot, with an audit
  // entry (line.pause / line.resume), in one transaction. The store does not
  // know the configured lines: the caller checks the name. Errors:
  // no_audit_signer, io, busy.
  virtual Status set_paused(std::string_view line, std::string_view slot, bool paused,
                            std::string_view actor) = 0;
  // Every flag ever set, by line then slot. One small read: cheap to poll.
  virtual Result<std::vector<LineControl>> line_controls() = 0;
  // Replaces the heartbeat rows of these slots (no audit: not a decision).
  virtual Status report_slots(const std::vector<SlotReport>& slots) = 0;
  virtual Result<std::vector<SlotReport>> slot_reports() = 0;

 protected:
  LineControlRepository() = default;
  LineControlRepository(const LineControlRepository&) = default;
  LineControlRepository& operator=(const LineControlRepository&) = default;
};

}  // namespace cardd::db
