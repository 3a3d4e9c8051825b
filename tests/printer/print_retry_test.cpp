// print_with_retry's decisions against a scripted printer, and the directory
// backend (atomic files, hot folders that appear late).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include "cardd/printer/print_retry.h"
#include "cardd/printer/printer.h"
#include "child_process.h"

namespace cardd::printer {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

RetryPolicy quick(int attempts = 6) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_backoff = 1ms;
  p.max_backoff = 2ms;
  p.wait = WaitOptions{1s, 1ms};
  return p;
}

// An in-memory printer whose answers the test scripts.
class ScriptedPrinter final : public Printer {
 public:
  const std::string& uri() const override { return uri_; }
  Result<int> submit(const Job& job) override {
    ++submits;
    if (!submit_errors.empty()) {
      const auto [code, accepted] = submit_errors.front();
      submit_errors.erase(submit_errors.begin());
      if (accepted) jobs[next_id] = JobStatus{next_id, job.name, accepted_state, accepted_reasons};
      ++next_id;
      return make_error(code, "scripted");
    }
    jobs[next_id] = JobStatus{next_id, job.name, JobState::completed, {}};
    return next_id++;
  }
  Result<JobStatus> job(int id) override {
    if (!job_errors.empty()) {
      const auto code = job_errors.front();
      job_errors.erase(job_errors.begin());
      return make_error(code, "scripted");
    }
    if (jobs.count(id) == 0) return make_error(PrinterError::job_lost, "no job");
    return jobs[id];
  }
  Result<std::vector<JobStatus>> find_jobs(std::string_view name) override {
    ++lookups;
    std::vector<JobStatus> out;
    for (const auto& [id, j] : jobs)
      if (j.name == name) out.push_back(j);
    return out;
  }
  Result<PrinterStatus> status() override { return PrinterStatus{}; }
  Status cancel(int id) override {
    cancelled.push_back(id);
    if (jobs.count(id) != 0) jobs[id].state = JobState::cancelled;
    return {};
  }

  std::vector<std::pair<PrinterError, bool>> submit_errors;  // (error, job created anyway)
  JobState accepted_state = JobState::completed;
  std::vector<std::string> accepted_reasons;
  std::vector<PrinterError> job_errors;
  std::map<int, JobStatus> jobs;
  std::vector<int> cancelled;
  int next_id = 1, submits = 0, lookups = 0;

 private:
  std::string uri_ = "scripted://";
};

TEST(MakeJobName, IsStableAndSafe) {
  EXPECT_EQ(make_job_name("BJ-7-00000012", "card", "A1"), "BJ-7-00000012.card.A1");
  EXPECT_EQ(make_job_name("BJ/7 x", "card", "k:1"), "BJ_7_x.card.k_1");
}

TEST(PrintWithRetry, RefusedConnectionsAreRetriedWithoutAskingForJobs) {
  ScriptedPrinter p;
  p.submit_errors = {{PrinterError::printer_unavailable, false},
                     {PrinterError::printer_unavailable, false}};
  auto out = print_with_retry(p, Job{"a.card.k", "application/pdf", "%PDF"}, quick());
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(out->attempts, 3);
  EXPECT_EQ(p.lookups, 0) << "nothing uncertain happened";
  EXPECT_EQ(p.jobs.size(), 1u);
}

TEST(PrintWithRetry, AShellWithoutItsDocumentIsCancelledAndTheJobSentAgain) {
  ScriptedPrinter p;
  p.submit_errors = {{PrinterError::connection_lost, true}};
  p.accepted_state = JobState::held;
  p.accepted_reasons = {"job-incoming"};
  auto out = print_with_retry(p, Job{"a.card.k", "application/pdf", "%PDF"}, quick());
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(p.cancelled, std::vector<int>{1});
  EXPECT_EQ(p.submits, 2);
  EXPECT_EQ(out->job.id, 2);
  EXPECT_FALSE(out->found_by_name);
}

// A cardd killed while printing, started again: what the killed process
// left at the printer decides. Its shell (Create-Job without a document,
// which keeps a one-job-at-a-time printer busy for good) is cancelled and
// the job sent; a job it sent whole is followed, never sent twice; nothing
// there, and the job is sent.
TEST(PrintWithRetry, AfterARestartWhatAnEarlierProcessLeftAtThePrinterDecides) {
  RetryPolicy resumed = quick();
  resumed.maybe_sent_before = true;
  const Job job{"a.card.k", "application/pdf", "%PDF"};
  {
    ScriptedPrinter p;
    p.jobs[7] = JobStatus{7, job.name, JobState::pending, {"job-incoming"}};
    auto out = print_with_retry(p, job, resumed);
    ASSERT_TRUE(out) << out.error().describe();
    EXPECT_EQ(p.cancelled, std::vector<int>{7});
    EXPECT_EQ(p.submits, 1);
  }
  {
    ScriptedPrinter p;
    p.jobs[7] = JobStatus{7, job.name, JobState::completed, {}};
    auto out = print_with_retry(p, job, resumed);
    ASSERT_TRUE(out) << out.error().describe();
    EXPECT_EQ(p.submits, 0) << "printed once already";
    EXPECT_TRUE(out->found_by_name);
    EXPECT_EQ(out->job.id, 7);
  }
  {
    ScriptedPrinter p;
    auto out = print_with_retry(p, job, resumed);
    ASSERT_TRUE(out) << out.error().describe();
    EXPECT_EQ(p.lookups, 1);
    EXPECT_EQ(p.submits, 1);
  }
  ScriptedPrinter fresh;  // not resumed: sent at once, the printer not asked
  ASSERT_TRUE(print_with_retry(fresh, job, quick()));
  EXPECT_EQ(fresh.lookups, 0);
}

TEST(PrintWithRetry, ALostSubmissionThatNeverArrivedIsSentAgain) {
  ScriptedPrinter p;
  p.submit_errors = {{PrinterError::connection_lost, false}};
  auto out = print_with_retry(p, Job{"a.card.k", "application/pdf", "%PDF"}, quick());
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(p.lookups, 1);
  EXPECT_EQ(p.submits, 2);
}

TEST(PrintWithRetry, AnAcceptedJobIsFollowedAcrossOutagesNeverResent) {
  ScriptedPrinter p;
  p.job_errors = {PrinterError::printer_unavailable, PrinterError::connection_lost};
  auto out = print_with_retry(p, Job{"a.card.k", "application/pdf", "%PDF"}, quick());
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(p.submits, 1);
  EXPECT_EQ(out->attempts, 3);
}

TEST(PrintWithRetry, AnAcceptedJobThePrinterForgotIsJobLostNotResent) {
  ScriptedPrinter forgetful;
  forgetful.job_errors = {PrinterError::connection_lost};
  RetryPolicy policy = quick();
  policy.on_retry = [&](int, const Error&, std::chrono::milliseconds) { forgetful.jobs.clear(); };
  auto lost = print_with_retry(forgetful, Job{"b.card.k", "application/pdf", "%PDF"}, policy);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, PrinterError::job_lost) << lost.error().describe();
  EXPECT_EQ(forgetful.submits, 1);
}

TEST(PrintWithRetry, AbortedJobIsJobFailedAndNotRetried) {
  ScriptedPrinter p;
  p.submit_errors = {};
  auto out0 = p.submit(Job{"a.card.k", "application/pdf", "%PDF"});
  ASSERT_TRUE(out0);
  p.jobs[*out0].state = JobState::aborted;
  p.jobs[*out0].reasons = {"job-aborted-by-system"};
  p.submit_errors = {{PrinterError::connection_lost, false}};
  // An earlier attempt's job was aborted: the card is spoiled upstream, not reprinted here.
  auto out = print_with_retry(p, Job{"a.card.k", "application/pdf", "%PDF"}, quick());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, PrinterError::job_failed) << out.error().describe();
  EXPECT_EQ(p.submits, 2) << "one scripted failure, no resubmission";
}

TEST(PrintWithRetry, PermanentErrorsEndAtOnce) {
  ScriptedPrinter p;
  p.submit_errors = {{PrinterError::job_rejected, false}};
  auto out = print_with_retry(p, Job{"a.card.k", "application/pdf", "%PDF"}, quick());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, PrinterError::job_rejected);
  EXPECT_EQ(p.submits, 1);
}

TEST(PrintWithRetry, BackOffGrowsToItsCap) {
  ScriptedPrinter p;
  p.submit_errors.assign(5, {PrinterError::printer_unavailable, false});
  std::vector<long> pauses;
  RetryPolicy policy = quick(6);
  policy.initial_backoff = 1ms;
  policy.max_backoff = 4ms;
  policy.on_retry = [&](int, const Error&, std::chrono::milliseconds d) {
    pauses.push_back(static_cast<long>(d.count()));
  };
  auto out = print_with_retry(p, Job{"a.card.k", "application/pdf", "%PDF"}, policy);
  ASSERT_TRUE(out);
  EXPECT_EQ(pauses, (std::vector<long>{1, 2, 4, 4, 4}));
}

TEST(OpenPrinter, UnknownSchemesAreConfigErrors) {
  for (const char* uri : {"lpd://host/q", "dir://relative", "", "ipp://"}) {
    auto p = open_printer(uri);
    ASSERT_FALSE(p) << uri;
    EXPECT_EQ(p.error().code, PrinterError::config_invalid) << uri;
  }
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(DirPrinter, WritesEachJobAsOneCompleteFile) {
  cardd::test::TempDir dir;
  auto p = open_printer("dir://" + dir.path().string());
  ASSERT_TRUE(p) << p.error().describe();
  const Job job{"BJ-1.carrier.k", "application/pdf", std::string(300'000, 'p')};
  auto out = print_with_retry(**p, job, quick());
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(out->job.state, JobState::completed);
  const fs::path file = dir.path() / "BJ-1.carrier.k.pdf";
  EXPECT_EQ(read_file(file), job.data);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u) << "no temporary file left behind";

  auto found = (*p)->find_jobs(job.name);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->size(), 1u);

  // The same name again is refused, and the file is untouched.
  auto again = (*p)->submit(Job{job.name, "application/pdf", "other"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, PrinterError::job_rejected);
  EXPECT_EQ(read_file(file), job.data);

  auto bad = (*p)->submit(Job{"../escape", "application/pdf", "x"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, PrinterError::job_rejected);
}

TEST(DirPrinter, AReaderOfTheFolderNeverSeesAPartialFile) {
  cardd::test::TempDir dir;
  auto p = open_printer("dir://" + dir.path().string());
  ASSERT_TRUE(p);
  constexpr std::size_t kSize = 4 << 20;
  std::atomic<bool> done{false};
  std::atomic<int> partial{0}, seen{0};
  std::thread reader([&] {
    while (!done) {
      for (const auto& e : fs::directory_iterator(dir.path())) {
        if (e.path().filename().string().front() == '.') continue;
        std::error_code ec;
        const auto size = fs::file_size(e.path(), ec);
        if (ec) continue;
        ++seen;
        if (size != kSize) ++partial;
      }
    }
  });
  for (int i = 0; i < 20; ++i) {
    auto id = (*p)->submit(Job{"job" + std::to_string(i), "image/png", std::string(kSize, 'x')});
    ASSERT_TRUE(id) << id.error().describe();
  }
  done = true;
  reader.join();
  EXPECT_GT(seen.load(), 0);
  EXPECT_EQ(partial.load(), 0);
}

TEST(DirPrinter, AHotFolderThatAppearsLateIsWaitedFor) {
  cardd::test::TempDir dir;
  const fs::path folder = dir.path() / "hot";
  auto p = open_printer("dir://" + folder.string());
  ASSERT_TRUE(p);
  auto st = (*p)->status();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, PrinterError::printer_unavailable);
  RetryPolicy policy = quick(50);
  policy.initial_backoff = 10ms;
  policy.max_backoff = 20ms;
  int failures = 0;
  policy.on_retry = [&](int, const Error&, std::chrono::milliseconds) {
    if (++failures == 3) fs::create_directories(folder);  // the mount comes back
  };
  auto out = print_with_retry(**p, Job{"late", "image/png", "png"}, policy);
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(out->attempts, 4);
  EXPECT_EQ(read_file(folder / "late.png"), "png");
}

}  // namespace
}  // namespace cardd::printer
