#include "cardd/printer/print_retry.h"

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

namespace cardd::printer {
namespace {

class Attempts {
 public:
  Attempts(Printer& printer, const Job& job, const RetryPolicy& policy, PrintOutcome& out)
      : printer_(printer),
        job_(job),
        policy_(policy),
        out_(out),
        uncertain_(policy.maybe_sent_before) {}

  Result<JobStatus> once() {
    if (accepted_ || uncertain_) {
      auto found = find_earlier();
      if (!found) return found.error();
      if (*found) return follow(**found);
      if (accepted_)
        return make_error(PrinterError::job_lost,
                          printer_.uri() + " job " + std::to_string(*accepted_) + " '" + job_.name +
                              "' was accepted but the printer no longer knows it");
      uncertain_ = false;  // nothing of ours reached the printer: send it
    }
    ++out_.submissions;
    auto id = printer_.submit(job_);
    if (!id) {
      if (id.error().code == PrinterError::connection_lost) uncertain_ = true;
      return id.error();
    }
    accepted_ = *id;
    return follow(*id);
  }

 private:
  // The job an earlier attempt left at the printer, found by name: nullopt
  // when there is none (after cancelling shells that never got a document).
  Result<std::optional<int>> find_earlier() {
    auto jobs = printer_.find_jobs(job_.name);
    if (!jobs) return jobs.error();
    std::optional<JobStatus> candidate;
    for (const JobStatus& j : *jobs) {
      if (cancelled_.count(j.id) != 0) continue;
      if (waiting_for_document(j) && j.id != accepted_) {
        (void)printer_.cancel(j.id);
        cancelled_.insert(j.id);
        continue;
      }
      if (!candidate || j.id == accepted_ || candidate->id != accepted_) candidate = j;
    }
    if (!candidate) return std::optional<int>();
    if (candidate->id != accepted_) out_.found_by_name = true;
    accepted_ = candidate->id;
    return std::optional<int>(candidate->id);
  }

  Result<JobStatus> follow(int id) { return wait_for_job(printer_, id, policy_.wait); }

  Printer& printer_;
  const Job& job_;
  const RetryPolicy& policy_;
  PrintOutcome& out_;
  std::optional<int> accepted_;  // the printer took the whole job: never send it again
  bool uncertain_;               // a submission may have reached the printer
  std::set<int> cancelled_;
};

}  // namespace

Result<int> cancel_orphaned_shells(Printer& printer, std::set<int>& seen) {
  auto shells = printer.job_shells();
  if (!shells) return shells.error();
  std::set<int> now;
  int cancelled = 0;
  for (const JobStatus& shell : *shells) {
    if (seen.count(shell.id) == 0) {
      now.insert(shell.id);
      continue;
    }
    if (auto s = printer.cancel(shell.id); !s) return s.error();
    ++cancelled;
  }
  seen = std::move(now);
  return cancelled;
}

std::string make_job_name(std::string_view application_id, std::string_view what,
                          std::string_view key) {
  std::string name;
  for (std::string_view part : {application_id, what, key}) {
    if (!name.empty()) name += '.';
    for (char c : part) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
      name += ok ? c : '_';
    }
  }
  return name;
}

Result<PrintOutcome> print_with_retry(Printer& printer, const Job& job, const RetryPolicy& policy) {
  PrintOutcome out;
  Attempts attempts(printer, job, policy, out);
  auto pause = policy.initial_backoff;
  const int max_attempts = std::max(1, policy.max_attempts);
  for (int attempt = 1;; ++attempt) {
    out.attempts = attempt;
    auto done = attempts.once();
    if (done) {
      out.job = std::move(*done);
      return out;
    }
    if (!is_transient(done.error().code) || attempt >= max_attempts) return done.error();
    if (policy.on_retry) policy.on_retry(attempt, done.error(), pause);
    std::this_thread::sleep_for(pause);
    const auto next = std::chrono::duration<double, std::milli>(pause) * policy.multiplier;
    pause =
        std::min(policy.max_backoff, std::chrono::duration_cast<std::chrono::milliseconds>(next));
  }
}

}  // namespace cardd::printer
