// Printers: where rendered documents (card faces, carrier letters, labels) go.
//
// One interface, backends chosen at run time from a URI (open_printer):
//   ipp://HOST[:PORT]/PATH, ipps://…   an IPP printer through libcups
//                                      (Create-Job + Send-Document, Get-Jobs,
//                                      Get-Job-Attributes, Get-Printer-Attributes)
//   dir:///ABSOLUTE/PATH               a directory: each job becomes one file,
//                                      written atomically (tests, and card
//                                      machines that read a hot folder)
//
// A job carries a name. print_with_retry (print_retry.h) makes that name the
// job's idempotency key: the printer's job list is searched for it before a
// job whose submission may have reached the printer is sent again. Backends
// keep the name exactly as given.
//
// Errors are values with PrinterError codes:
//   printer_unavailable  cannot connect / refused / printer stopped or busy (transient)
//   connection_lost      the connection broke after the request was sent: the
//                        request may have been carried out (transient, uncertain)
//   job_rejected         the printer refused the job or request (permanent)
//   job_failed           the job ended aborted or cancelled
//   job_timeout          wait_for_job ran out of time; the job's fate is unknown
//   config_invalid       a URI no backend understands
// Messages name the printer and the job, never document content.
//
// Thread safety: a Printer is used by one thread at a time. Each IPP call
// opens its own connection, so a Printer holds no connection between calls.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/printer/error.h"

namespace cardd::printer {

// One document to print, as one job.
struct Job {
  std::string name;    // job-name; the idempotency key under print_with_retry
  std::string format;  // MIME type: "application/pdf", "image/png", "image/jpeg"
  std::string data;    // the document's bytes
};

// IPP job states (RFC 8011 §5.3.7), same numbering.
enum class JobState {
  pending = 3,
  held = 4,
  processing = 5,
  stopped = 6,  // processing, but the printer has stopped (e.g. media-empty)
  cancelled = 7,
  aborted = 8,
  completed = 9,
};
std::string_view to_string(JobState state);  // "pending", …, "completed"
// cancelled, aborted, completed: the job will not change any more.
bool is_terminal(JobState state);

struct JobStatus {
  int id = 0;
  std::string name;
  JobState state = JobState::pending;
  std::vector<std::string> reasons;  // job-state-reasons, e.g. "job-completed-successfully"
};

// A job whose Create-Job got through but whose document never arrived
// (pending or held, job-incoming or job-data-insufficient).
bool waiting_for_document(const JobStatus& job);

// IPP printer states (RFC 8011 §5.4.11).
enum class PrinterState { idle = 3, processing = 4, stopped = 5 };
std::string_view to_string(PrinterState state);

struct PrinterStatus {
  PrinterState state = PrinterState::idle;
  // printer-state-reasons without "none": "media-empty", "offline-report", …
  std::vector<std::string> reasons;
  std::string message;  // printer-state-message, may be empty
  bool accepting_jobs = true;
};

class Printer {
 public:
  virtual ~Printer() = default;

  // The URI the printer was opened with.
  virtual const std::string& uri() const = 0;

  // Sends one job. Returns the printer's job id once the printer has accepted
  // the whole document. When Send-Document fails after Create-Job succeeded,
  // the IPP backend cancels the empty job if it still can.
  virtual Result<int> submit(const Job& job) = 0;

  // The current state of job `id`. job_lost when the printer no longer knows it.
  virtual Result<JobStatus> job(int id) = 0;

  // Every job the printer still knows (pending, active and its kept history)
  // whose name is exactly `name`, oldest first.
  virtual Result<std::vector<JobStatus>> find_jobs(std::string_view name) = 0;

  // Jobs still waiting for their document (Create-Job got through, no
  // Send-Document yet), oldest first; none where a job is one call.
  virtual Result<std::vector<JobStatus>> job_shells() { return std::vector<JobStatus>{}; }

  // printer-state, printer-state-reasons, printer-state-message.
  virtual Result<PrinterStatus> status() = 0;

  // Asks the printer to cancel job `id` (Cancel-Job). A job that has already
  // ended is not an error.
  virtual Status cancel(int id) = 0;

 protected:
  Printer() = default;
  Printer(const Printer&) = default;
  Printer& operator=(const Printer&) = default;
};

struct PrinterOptions {
  // Connecting and each request/response exchange (IPP).
  std::chrono::milliseconds timeout{10'000};
  std::string user = "cardd";  // requesting-user-name (IPP)
};

// Opens the backend the URI names. Nothing is contacted yet: a printer that
// is off is found out by the first call. Errors: config_invalid.
Result<std::unique_ptr<Printer>> open_printer(const std::string& uri, PrinterOptions options = {});

struct WaitOptions {
  std::chrono::milliseconds timeout{120'000};
  std::chrono::milliseconds poll_interval{200};
};

// Follows job `id` until it is completed (returned), aborted or cancelled
// (job_failed, the message carrying the job-state-reasons and the printer's
// state reasons such as media-empty). When the time runs out: job_timeout,
// with the last job state and printer reasons in the message. Errors of the
// printer calls (printer_unavailable, connection_lost, job_lost) are
// returned as they are.
Result<JobStatus> wait_for_job(Printer& printer, int id, const WaitOptions& options = {});

}  // namespace cardd::printer
