// A line's printer as readiness sees it: one that answers and takes jobs is
// ready; one that does not answer says why; the answer is asked at most
// every few seconds.
#include "lines/line_printer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "child_process.h"
#include "regions.h"
#include "soft_sealer.h"
#include "test_places.h"

namespace cardd::server {
namespace {

class LinePrinterTest : public ::testing::Test {
 protected:
  std::unique_ptr<LinePrinter> open(const std::string& uri) {
    auto p = LinePrinter::open(uri, *store_, cardd::test::shipped_region(), "tester");
    EXPECT_TRUE(p.ok()) << p.error().describe();
    return p.ok() ? std::move(*p) : nullptr;
  }

  test::TempDir dir_;
  test::SoftSealer sealer_{dir_.path()};
  std::unique_ptr<db::Store> store_ = sealer_.open_store((dir_.path() / "cardd.db").string());
};

TEST_F(LinePrinterTest, APrinterThatTakesJobsIsReady) {
  std::filesystem::create_directories(dir_.path() / "printed");
  auto printer = open("dir://" + (dir_.path() / "printed").string());
  ASSERT_TRUE(printer);
  const Status ready = printer->ready();
  EXPECT_TRUE(ready.ok()) << ready.error().describe();
}

TEST_F(LinePrinterTest, APrinterThatDoesNotAnswerIsNotReadyAndSaysWhy) {
  // Port 1 on the loopback refuses every connection.
  auto printer = open("ipp://127.0.0.1:1/ipp/print");
  ASSERT_TRUE(printer);
  const Status ready = printer->ready();
  ASSERT_FALSE(ready.ok());
  EXPECT_EQ(ready.error().code, printer::PrinterError::printer_unavailable)
      << ready.error().describe();
  EXPECT_NE(ready.error().message.find("127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace cardd::server
