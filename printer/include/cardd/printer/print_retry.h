// Printing one job through a printer that may be off, restarting or failing,
// without ever printing it twice.
//
// The job's name is its idempotency key (make_job_name): the same key for
// every attempt at the same print, so the printer's own job list tells
// whether an earlier attempt got through. print_with_retry:
//   1. submits the job; a transient failure (printer_unavailable,
//      connection_lost) is retried after a back-off pause;
//   2. before sending again after an *uncertain* failure (connection_lost:
//      the request may have reached the printer), and before the first
//      sending when RetryPolicy::maybe_sent_before, asks the printer for jobs
//      of that name (IPP Get-Jobs). A job found there that is pending,
//      processing, stopped or completed is followed instead of sending a new
//      one; a found job still waiting for its document is cancelled first;
//   3. once the printer has accepted the job (it gave a job id), the job is
//      never sent again: later attempts only follow it — by id, or by name
//      when the printer has restarted. If the printer no longer knows the
//      job at all, the result is job_lost (a person decides: the card may or
//      may not have been printed);
//   4. follows the job to its end: completed is success; aborted or
//      cancelled is job_failed (not retried: the card is spoiled upstream).
// Permanent errors (job_rejected, config_invalid, …) end at once.
//
// The application's state (PRINTING → PRINTED or SPOILED) is the caller's
// business: nothing here touches the database.
//
// Thread safety: as the Printer's (one thread at a time per Printer).
#pragma once

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/printer/printer.h"

namespace cardd::printer {

struct RetryPolicy {
  int max_attempts = 8;  // submissions + follow-ups, counting the first
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  double multiplier = 2.0;
  WaitOptions wait;  // for following an accepted job
  // An earlier process may have sent this job (it was killed while
  // printing): the first attempt asks the printer for the job by name, as
  // after an uncertain failure, before sending anything.
  bool maybe_sent_before = false;
  // Called before each pause with the attempt that failed (1-based), its
  // error and the pause. Must not throw. May be empty.
  std::function<void(int attempt, const Error& error, std::chrono::milliseconds pause)> on_retry;
};

struct PrintOutcome {
  JobStatus job;               // the completed job
  int attempts = 0;            // how many attempts it took (1 = first try)
  int submissions = 0;         // how many times the document was sent
  bool found_by_name = false;  // an earlier attempt's job was found in the job list
};

// Cancels the job shells (Printer::job_shells) that `seen` held, and puts
// the others there. A live submission sends its document within moments, so
// a shell still there a retry later was left by a process that died between
// Create-Job and Send-Document; a printer that takes one job at a time
// refuses every other job as busy for as long as it stays. Returns how many
// were cancelled.
Result<int> cancel_orphaned_shells(Printer& printer, std::set<int>& seen);

// "<application id>.<what>.<key>", e.g. "BJ-7-00000012.card.3f9a…": the
// caller's attempt-independent key (for a card: the card's serial or the
// print request's id), so every attempt at the same print carries the same
// name and a reprint after a spoiled card carries a new one. Characters
// outside [A-Za-z0-9._-] become '_' (job names travel as IPP name values and
// as file names in hot folders).
std::string make_job_name(std::string_view application_id, std::string_view what,
                          std::string_view key);

// See the top of this file. Errors: the last transient error when the
// attempts run out; otherwise the first permanent one.
Result<PrintOutcome> print_with_retry(Printer& printer, const Job& job, const RetryPolicy& policy);

}  // namespace cardd::printer
