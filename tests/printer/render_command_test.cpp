// cardctl render end to end: generated applications, imported into a fresh
// database, rendered to files that independent tools read back.
#include <gtest/gtest.h>

#include <fstream>

#include "child_process.h"
#include "secret_file.h"

namespace cardd {
namespace {

using test::bin_path;
using test::run_command;
using test::RunResult;
namespace fs = std::filesystem;

// cardctl carries its own suppressions for third-party leaks (main.cpp).
RunResult cardctl(std::vector<std::string> args) {
  args.insert(args.begin(), bin_path("cardctl"));
  return run_command(args);
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Width and height from a PNG's IHDR.
std::pair<int, int> png_size(const std::string& png) {
  if (png.size() < 24 || png.compare(1, 3, "PNG") != 0) return {0, 0};
  const auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) |
           (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  return {be32(16), be32(20)};
}

TEST(RenderCommand, WritesFacesCarrierAndLabelForImportedApplications) {
  test::TempDir dir;
  const auto apps = (dir.path() / "apps.jsonl").string();
  const auto db = (dir.path() / "cardd.db").string();
  ASSERT_EQ(cardctl({"gen", "--count", "6", "--seed", "5", "--out", apps}).exit_code, 0);
  test::write_secret_file(dir.path() / "passphrase", "render test keystore");
  const std::vector<std::string> hsm{"--keystore", (dir.path() / "keys.cks").string(),
                                     "--passphrase-file", (dir.path() / "passphrase").string()};
  const auto sealed = [&](std::vector<std::string> args) {
    args.insert(args.end(), hsm.begin(), hsm.end());
    return args;
  };
  ASSERT_EQ(cardctl(sealed({"keys", "init-storage", "--db", db, "--create-keystore"})).exit_code,
            0);
  const RunResult imported = cardctl(sealed({"import", apps, "--db", db}));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  int mail = 0;
  for (int i = 0; i < 6; ++i) {
    const std::string id = "BJ-5-0000000" + std::to_string(i);
    const fs::path out = dir.path() / id;
    const RunResult r = cardctl(sealed({"render", id, "--db", db, "--out", out.string()}));
    ASSERT_EQ(r.exit_code, 0) << id << ": " << r.err;
    EXPECT_NE(r.out.find("PLACEHOLDER"), std::string::npos);
    EXPECT_EQ(png_size(read(out / "front.png")), (std::pair<int, int>{1011, 638}));
    EXPECT_EQ(png_size(read(out / "back.png")), (std::pair<int, int>{1011, 638}));
    const RunResult carrier = run_command({"pdfinfo", (out / "carrier.pdf").string()});
    EXPECT_NE(carrier.out.find("595.276 x 841.89 pts"), std::string::npos) << carrier.out;
    const RunResult label = run_command({"pdfinfo", (out / "label.pdf").string()});
    EXPECT_NE(label.out.find("283.465 x 425.197 pts"), std::string::npos) << label.out;

    const auto png = (dir.path() / (id + "-label")).string();
    ASSERT_EQ(run_command({"pdftoppm", "-r", "300", "-gray", "-png", "-singlefile",
                           (out / "label.pdf").string(), png})
                  .exit_code,
              0);
    const RunResult scan = run_command({"zbarimg", "-q", "--raw", png + ".png"});
    EXPECT_EQ(scan.out.rfind("PH", 0), 0u) << "placeholder tracking number: " << scan.out;
    EXPECT_NE(r.out.find(scan.out.substr(0, scan.out.size() - 1)), std::string::npos);

    const RunResult text = run_command({"pdftotext", (out / "carrier.pdf").string(), "-"});
    if (text.out.find("运单号") != std::string::npos) ++mail;
    EXPECT_NE(text.out.find(id), std::string::npos);
  }
  EXPECT_GT(mail, 0) << "some generated applications are delivered by mail";

  const RunResult missing = cardctl(
      sealed({"render", "BJ-5-99999999", "--db", db, "--out", (dir.path() / "x").string()}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir.path() / "x"));
}

}  // namespace
}  // namespace cardd
