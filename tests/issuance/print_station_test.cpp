// The print step with the operator's command and a real ippeveprinter: an
// encoded card is printed once; a printer that is off leaves the application
// in PRINTING, and the print completes after the printer comes back with
// exactly one job per side.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include "in_process_card.h"
#include "ipp_test_support.h"
#include "issuance_fixture.h"

namespace cardd::test {
namespace {

class PrintStep : public IssuanceFixture {
 protected:
  // An application encoded on an in-process virtual card.
  std::string encoded_application() {
    add_lot("L", "CAFE0000", 4);
    const auto ids = import_applications(1);
    encode_in_process(dir_, *store(), profile_, ids[0], 1);
    return ids[0];
  }

  RunResult print(const std::string& id, const std::string& uri) {
    return cardctl(with_hsm({"print", id, "--db", db_path(), "--printer", uri, "--attempts", "2",
                             "--backoff-ms", "50", "--region", region_name()}));
  }

  db::AppState state(const std::string& id) { return store()->status(id)->state; }

  static std::string bytes_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

TEST_F(PrintStep, PrinterOffKeepsPrintingThenPrintsEachSideOnce) {
  const std::string id = encoded_application();
  ASSERT_EQ(state(id), db::AppState::encoded);
  printer::test::IppDaemons daemons;
  printer::test::IppEvePrinter printer(dir_.path() / "spool", printer::test::free_port());

  auto off = print(id, printer.uri());
  EXPECT_EQ(off.exit_code, 1) << off.out;
  EXPECT_NE(off.err.find("printer_unavailable"), std::string::npos) << off.err;
  EXPECT_NE(off.err.find("(application PRINTING)"), std::string::npos) << off.err;
  EXPECT_EQ(state(id), db::AppState::printing);

  printer.start();
  auto on = print(id, printer.uri());
  ASSERT_EQ(on.exit_code, 0) << on.out << on.err;
  EXPECT_EQ(state(id), db::AppState::printed);
  EXPECT_NE(on.out.find("PRINTED on " + printer.uri() + ": 2 side(s) sent"), std::string::npos)
      << on.out;
  const auto documents = printer.documents();
  ASSERT_EQ(documents.size(), 2u) << "front and back, once each";
  // What the printer received is, byte for byte, the two faces `cardctl
  // render` makes of the same application.
  const auto faces = dir_.path() / "faces";
  auto rendered = cardctl(with_hsm(
      {"render", id, "--db", db_path(), "--out", faces.string(), "--region", region_name()}));
  ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
  const std::multiset<std::string> printed{bytes_of(documents[0]), bytes_of(documents[1])};
  const std::multiset<std::string> expected{bytes_of(faces / "front.png"),
                                            bytes_of(faces / "back.png")};
  EXPECT_GT(bytes_of(faces / "front.png").size(), 10'000u);
  EXPECT_TRUE(printed == expected) << "the printed sides are not the rendered faces";

  auto again = print(id, printer.uri());
  EXPECT_NE(again.exit_code, 0) << "a printed card is not printed again";
  EXPECT_EQ(printer.documents().size(), 2u);
}

TEST_F(PrintStep, OnlyEncodedCardsArePrinted) {
  const auto ids = import_applications(1);
  auto r = print(ids[0], "dir://" + (dir_.path() / "out").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("only an ENCODED card is printed"), std::string::npos) << r.err;
  EXPECT_EQ(state(ids[0]), db::AppState::validated);
  auto bad_uri = print(ids[0], "lpr://127.0.0.1/card");
  EXPECT_EQ(bad_uri.exit_code, 2) << "a URI that names no printer is bad input";
  EXPECT_NE(bad_uri.err.find("expected ipp://"), std::string::npos) << bad_uri.err;
}

}  // namespace
}  // namespace cardd::test
