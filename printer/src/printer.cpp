#include "cardd/printer/printer.h"

#include <algorithm>
#include <thread>

#include "dir_printer.h"
#include "ipp_printer.h"

namespace cardd::printer {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ",") + w;
  return out.empty() ? "none" : out;
}

// What the printer says about itself, for a message; empty when it cannot be asked.
std::string printer_summary(Printer& printer) {
  auto s = printer.status();
  if (!s) return {};
  return "; printer " + std::string(to_string(s->state)) + " (" + join(s->reasons) + ")";
}

}  // namespace

std::string_view to_string(JobState state) {
  switch (state) {
    case JobState::pending:
      return "pending";
    case JobState::held:
      return "held";
    case JobState::processing:
      return "processing";
    case JobState::stopped:
      return "stopped";
    case JobState::cancelled:
      return "cancelled";
    case JobState::aborted:
      return "aborted";
    case JobState::completed:
      return "completed";
  }
  return "unknown";
}

bool is_terminal(JobState state) {
  return state == JobState::cancelled || state == JobState::aborted || state == JobState::completed;
}

bool waiting_for_document(const JobStatus& job) {
  if (job.state != JobState::held && job.state != JobState::pending) return false;
  return std::any_of(job.reasons.begin(), job.reasons.end(), [](const std::string& r) {
    return r == "job-incoming" || r == "job-data-insufficient";
  });
}

std::string_view to_string(PrinterState state) {
  switch (state) {
    case PrinterState::idle:
      return "idle";
    case PrinterState::processing:
      return "processing";
    case PrinterState::stopped:
      return "stopped";
  }
  return "unknown";
}

Result<std::unique_ptr<Printer>> open_printer(const std::string& uri, PrinterOptions options) {
  if (uri.starts_with("ipp://") || uri.starts_with("ipps://"))
    return detail::open_ipp_printer(uri, std::move(options));
  if (uri.starts_with("dir://")) return detail::open_dir_printer(uri);
  return make_error(PrinterError::config_invalid,
                    "printer URI '" + uri + "': expected ipp://, ipps:// or dir:///PATH");
}

Result<JobStatus> wait_for_job(Printer& printer, int id, const WaitOptions& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (true) {
    auto job = printer.job(id);
    if (!job) return job.error();
    if (job->state == JobState::completed) return job;
    const std::string where = printer.uri() + " job " + std::to_string(id) + " '" + job->name +
                              "': " + std::string(to_string(job->state)) + " (" +
                              join(job->reasons) + ")";
    if (is_terminal(job->state))
      return make_error(PrinterError::job_failed, where + printer_summary(printer));
    if (std::chrono::steady_clock::now() >= deadline)
      return make_error(PrinterError::job_timeout, "gave up waiting after " +
                                                       std::to_string(options.timeout.count()) +
                                                       " ms: " + where + printer_summary(printer));
    std::this_thread::sleep_for(options.poll_interval);
  }
}

}  // namespace cardd::printer
