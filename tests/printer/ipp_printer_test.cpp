// The IPP backend and print_with_retry against a real ippeveprinter on
// 127.0.0.1: jobs land in its spool; a printer that is off, killed or
// restarted gets each job exactly once.
#include <cairo.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "cardd/printer/print_retry.h"
#include "cardd/printer/printer.h"
#include "ipp_test_support.h"

namespace cardd::printer {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A document of a given size that is a PDF as far as a printer is concerned.
std::string pdf_of_size(std::size_t size, char fill = 'x') {
  std::string pdf = "%PDF-1.4\n%";
  pdf.resize(size - 6, fill);
  return pdf + "\n%%EOF";
}

std::string small_png() {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 16, 16);
  std::string png;
  cairo_surface_write_to_png_stream(
      s,
      [](void* closure, const unsigned char* data, unsigned int length) {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
      },
      &png);
  cairo_surface_destroy(s);
  return png;
}

RetryPolicy fast_policy(int attempts = 40) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_backoff = 100ms;
  p.max_backoff = 400ms;
  p.wait.timeout = 20s;
  p.wait.poll_interval = 50ms;
  return p;
}

// Failed attempts of print_with_retry, counted as they happen, so a test
// switches the printer on after the attempts it means (not after a sleep).
class FailedAttempts {
 public:
  void attach(RetryPolicy& policy) {
    policy.on_retry = [this](int, const Error&, std::chrono::milliseconds) {
      std::lock_guard lock(mutex_);
      ++count_;
      seen_.notify_all();
    };
  }
  bool wait_for(int n) {
    std::unique_lock lock(mutex_);
    return seen_.wait_for(lock, 60s, [&] { return count_ >= n; });
  }
  int count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable seen_;
  int count_ = 0;
};

// Fault injection by wrapping: the first submit goes through to the printer
// but reports connection_lost, as when the response never came back.
class LosesFirstResponse final : public Printer {
 public:
  explicit LosesFirstResponse(Printer& inner) : inner_(inner) {}
  const std::string& uri() const override { return inner_.uri(); }
  Result<int> submit(const Job& job) override {
    auto id = inner_.submit(job);
    if (++submits_ == 1 && id)
      return make_error(PrinterError::connection_lost, "injected: response lost");
    return id;
  }
  Result<JobStatus> job(int id) override { return inner_.job(id); }
  Result<std::vector<JobStatus>> find_jobs(std::string_view name) override {
    ++lookups_;
    return inner_.find_jobs(name);
  }
  Result<PrinterStatus> status() override { return inner_.status(); }
  Status cancel(int id) override { return inner_.cancel(id); }
  int submits_ = 0, lookups_ = 0;

 private:
  Printer& inner_;
};

class IppPrinterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemons_ = std::make_unique<test::IppDaemons>();
    device_ = std::make_unique<test::IppEvePrinter>(dir_.path() / "spool", test::free_port());
    auto p = open_printer(device_->uri(), PrinterOptions{2s, "cardd-test"});
    ASSERT_TRUE(p) << p.error().describe();
    printer_ = std::move(*p);
  }
  void TearDown() override {
    device_.reset();
    daemons_.reset();
  }

  cardd::test::TempDir dir_;
  std::unique_ptr<test::IppDaemons> daemons_;
  std::unique_ptr<test::IppEvePrinter> device_;
  std::unique_ptr<Printer> printer_;
};

TEST_F(IppPrinterTest, JobLandsInTheSpoolWithTheRightSize) {
  device_->start();
  auto status = printer_->status();
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_NE(status->state, PrinterState::stopped);
  EXPECT_TRUE(status->accepting_jobs);

  const Job job{"BJ-1-00000001.carrier.k1", "application/pdf", pdf_of_size(123'457)};
  auto id = printer_->submit(job);
  ASSERT_TRUE(id) << id.error().describe();
  auto done = wait_for_job(*printer_, *id, WaitOptions{20s, 50ms});
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->state, JobState::completed);
  EXPECT_EQ(done->name, job.name);

  const auto docs = device_->documents();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(fs::file_size(docs[0]), job.data.size());
  std::ifstream in(docs[0], std::ios::binary);
  const std::string spooled((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(spooled == job.data) << "spooled bytes differ from the document";

  auto found = printer_->find_jobs(job.name);
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, *id);
  EXPECT_EQ((*found)[0].state, JobState::completed);
  auto none = printer_->find_jobs("no-such-job");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(IppPrinterTest, APrinterThatIsOffIsUnavailableAndTransient) {
  auto status = printer_->status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, PrinterError::printer_unavailable) << status.error().describe();
  auto id = printer_->submit(Job{"x", "application/pdf", pdf_of_size(100)});
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, PrinterError::printer_unavailable);
  EXPECT_TRUE(is_transient(id.error().code));
}

TEST_F(IppPrinterTest, UnsupportedFormatIsRejectedAtOnceAndTheEmptyJobCancelled) {
  device_->start();
  RetryPolicy policy = fast_policy(5);
  auto out = print_with_retry(*printer_, Job{"BJ-1.text.k", "text/plain", "hello"}, policy);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, PrinterError::job_rejected) << out.error().describe();
  auto found = printer_->find_jobs("BJ-1.text.k");
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].state, JobState::cancelled);
  EXPECT_TRUE(device_->documents().empty());
}

TEST_F(IppPrinterTest, RetriesUntilThePrinterIsSwitchedOnThenPrintsOnce) {
  const Job job{make_job_name("BJ-1-00000002", "card", "serial-77"), "application/pdf",
                pdf_of_size(50'000)};
  FailedAttempts failed;
  RetryPolicy policy = fast_policy();
  failed.attach(policy);
  auto result =
      std::async(std::launch::async, [&] { return print_with_retry(*printer_, job, policy); });
  ASSERT_TRUE(failed.wait_for(2)) << "printer still off: refused connections";
  device_->start();
  auto out = result.get();
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_GE(out->attempts, 3);
  EXPECT_EQ(failed.count(), out->attempts - 1);
  EXPECT_EQ(out->job.state, JobState::completed);
  const auto docs = device_->documents();
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(fs::file_size(docs[0]), job.data.size());
}

TEST_F(IppPrinterTest, PrinterKilledAndRestartedGetsTheNextJobExactlyOnce) {
  device_->start();
  auto first = print_with_retry(*printer_, Job{"BJ-1-00000003.card.a", "image/png", small_png()},
                                fast_policy());
  ASSERT_TRUE(first) << first.error().describe();
  device_->kill();  // power cut

  const Job job{"BJ-1-00000004.card.b", "application/pdf", pdf_of_size(80'000)};
  FailedAttempts failed;
  RetryPolicy policy = fast_policy();
  failed.attach(policy);
  auto result =
      std::async(std::launch::async, [&] { return print_with_retry(*printer_, job, policy); });
  ASSERT_TRUE(failed.wait_for(1));
  device_->start();  // same port, same spool
  auto out = result.get();
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_GE(out->attempts, 2);
  const auto docs = device_->documents();
  ASSERT_EQ(docs.size(), 2u) << "one document per job";
  int of_second = 0;
  for (const auto& d : docs)
    if (fs::file_size(d) == job.data.size()) ++of_second;
  EXPECT_EQ(of_second, 1);
}

TEST_F(IppPrinterTest, AnAcceptedJobWhoseResponseWasLostIsFoundByNameNotResent) {
  device_->start();
  LosesFirstResponse flaky(*printer_);
  const Job job{make_job_name("BJ-1-00000005", "label", "k5"), "application/pdf",
                pdf_of_size(9'999)};
  auto out = print_with_retry(flaky, job, fast_policy());
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(flaky.submits_, 1) << "the job was not sent a second time";
  EXPECT_GE(flaky.lookups_, 1) << "Get-Jobs was asked before resending";
  EXPECT_TRUE(out->found_by_name);
  EXPECT_EQ(out->attempts, 2);
  EXPECT_EQ(out->job.state, JobState::completed);
  EXPECT_EQ(device_->documents().size(), 1u);
}

TEST_F(IppPrinterTest, GivesUpWithTheLastTransientErrorWhenThePrinterStaysOff) {
  RetryPolicy policy = fast_policy(3);
  policy.initial_backoff = 10ms;
  auto out =
      print_with_retry(*printer_, Job{"BJ-x.card.k", "application/pdf", pdf_of_size(100)}, policy);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, PrinterError::printer_unavailable);
}

}  // namespace
}  // namespace cardd::printer

namespace cardd::printer {
namespace {

// A process that died between Create-Job and Send-Document (ipptool sends
// only the Create-Job here) leaves a job shell. ippeveprinter, like many
// card printers, takes one job at a time: every later job is refused as
// busy. The shell is cancelled the second time it is seen, not the first
// (a live submission might be between its two requests), and the printer
// takes jobs again.
TEST_F(IppPrinterTest, AJobShellADeadProcessLeftIsCancelledWhenSeenTwice) {
  device_->start();
  const auto script = dir_.path() / "create-job.test";
  std::ofstream(script) << "{\n NAME \"Create-Job and no document\"\n OPERATION Create-Job\n"
                        << " GROUP operation-attributes-tag\n"
                        << " ATTR charset attributes-charset utf-8\n"
                        << " ATTR naturalLanguage attributes-natural-language en\n"
                        << " ATTR uri printer-uri $uri\n"
                        << " ATTR name requesting-user-name cardd-test\n"
                        << " ATTR name job-name \"BJ-1-00000001.card-front.killed\"\n"
                        << " STATUS successful-ok\n}\n";
  const auto created = cardd::test::run_command({"ipptool", device_->uri(), script.string()});
  ASSERT_EQ(created.exit_code, 0) << created.out << created.err;

  const Job job{"BJ-1-00000002.carrier.k", "application/pdf", pdf_of_size(2'000)};
  auto refused = printer_->submit(job);
  ASSERT_FALSE(refused) << "the printer took a second job beside the shell";
  EXPECT_TRUE(is_transient(refused.error().code)) << refused.error().describe();

  auto shells = printer_->job_shells();
  ASSERT_TRUE(shells) << shells.error().describe();
  ASSERT_EQ(shells->size(), 1u);
  EXPECT_EQ(shells->front().name, "BJ-1-00000001.card-front.killed");
  std::set<int> seen;
  auto first = cancel_orphaned_shells(*printer_, seen);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(*first, 0) << "seen once: it might still get its document";
  auto second = cancel_orphaned_shells(*printer_, seen);
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(*second, 1);
  EXPECT_TRUE(seen.empty());

  auto id = printer_->submit(job);
  ASSERT_TRUE(id) << id.error().describe();
  auto done = wait_for_job(*printer_, *id, WaitOptions{20s, 50ms});
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->state, JobState::completed);
}

}  // namespace
}  // namespace cardd::printer
