// A shipped pack's letters and labels, printed by the fulfilment worker on a
// directory printer, on a real SQLite store; read back with pdfinfo and
// pdftotext.
#include "cardd/server/pack_paper.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "../db/store_fixture.h"
#include "child_process.h"
#include "fulfilment_worker.h"
#include "regions.h"

namespace cardd::server {
namespace {

namespace fs = std::filesystem;
using cardd::test::run_command;
using db::AppState;
using db::CollectionMethod;

class PackPaperTest : public db::test::StoreTest {
 protected:
  void passed_qc(const std::string& id) {
    db::NewApplication a = db::test::sample(id, id);
    a.details.collection = CollectionMethod::mail;
    a.details.recipient_postal_code = "100020";
    a.details.issuing_branch = "0101";
    ingest({a});
    ASSERT_TRUE(store_->transition(id, AppState::queued, "line-1", "").ok());
    // Prepared with its card number: paper never carries a placeholder.
    db::PreparedRecord r;
    r.profile = "beijing";
    r.card_number = "B1" + id.substr(id.size() - 7);
    r.pan = "621226" + id.substr(id.size() - 7);
    r.issue_date = CivilDate{2026, 11, 30};
    r.expiry_date = CivilDate{2036, 11, 30};
    r.bank = "ICBC";
    r.name = a.personal.name;
    r.id_number = a.personal.id_number;
    r.data = "{}";
    auto saved = store_->save_prepared(id, r, "line-1");
    ASSERT_TRUE(saved.ok()) << saved.error().describe();
    for (AppState s : {AppState::encoding, AppState::encoded, AppState::printing, AppState::printed,
                       AppState::qc_passed})
      ASSERT_TRUE(store_->transition(id, s, "line-1", "").ok()) << id << " " << to_string(s);
  }

  // A worker that packs at once, printing paper on dir://`paper_dir_`.
  std::unique_ptr<FulfilmentWorker> worker(std::int64_t pack_batch = 50) {
    auto f = Fulfilment::create(*store_, FulfilmentOptions{}, "test");
    EXPECT_TRUE(f.ok()) << f.error().describe();
    printer::RetryPolicy retry;
    retry.max_attempts = 1;
    auto paper = PackPaper::create(*store_, cardd::test::shipped_region(),
                                   "dir://" + paper_dir_.string(), retry, "test");
    EXPECT_TRUE(paper.ok()) << paper.error().describe();
    return std::make_unique<FulfilmentWorker>(
        *store_, std::move(*f), pack_batch, std::chrono::milliseconds(10), [] { return true; },
        nullptr, std::make_unique<PackPaper>(std::move(*paper)), std::chrono::milliseconds(0));
  }

  std::set<std::string> files() const {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(paper_dir_, ec))
      out.insert(e.path().filename().string());
    return out;
  }

  static std::string pages(const fs::path& pdf) {
    const auto r = run_command({"pdfinfo", pdf.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    return std::regex_search(r.out, m, std::regex(R"(Pages:\s+(\d+))")) ? std::string(m[1]) : "";
  }

  static std::string page_text(const fs::path& pdf, int page) {
    const auto r = run_command(
        {"pdftotext", "-f", std::to_string(page), "-l", std::to_string(page), pdf.string(), "-"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  fs::path paper_dir_ = dir_.path() / "paper";
};

TEST_F(PackPaperTest, AShippedPackHasItsLettersAndLabelsPrintedWithTheRealTrackingNumbers) {
  const std::vector<std::string> ids = {"BJ-1-00000001", "BJ-1-00000002", "BJ-1-00000003"};
  for (const auto& id : ids) passed_qc(id);
  fs::create_directories(paper_dir_);
  worker()->round();

  std::string pack;
  std::vector<std::string> tracking;
  for (const auto& id : ids) {
    EXPECT_EQ(store_->status(id)->state, AppState::shipped) << id;
    auto s = store_->shipment(id);
    ASSERT_TRUE(s.ok() && s->has_value()) << id;
    pack = (*s)->pack_id;
    tracking.push_back((*s)->tracking_number);
    ASSERT_FALSE(tracking.back().empty());
  }
  EXPECT_EQ(files(), (std::set<std::string>{pack + ".letters.pdf", pack + ".labels.pdf"}));
  const fs::path letters = paper_dir_ / (pack + ".letters.pdf");
  const fs::path labels = paper_dir_ / (pack + ".labels.pdf");
  EXPECT_EQ(pages(letters), "3");
  EXPECT_EQ(pages(labels), "3");
  // The pack's order (application id), each page with its own number.
  for (int i = 0; i < 3; ++i) {
    for (const auto& pdf : {letters, labels}) {
      const std::string text = page_text(pdf, i + 1);
      EXPECT_NE(text.find(tracking[static_cast<std::size_t>(i)]), std::string::npos)
          << pdf << " page " << i + 1;
      EXPECT_EQ(text.find("PLACEHOLDER"), std::string::npos) << pdf << " page " << i + 1;
      EXPECT_NE(text.find(ids[static_cast<std::size_t>(i)]), std::string::npos);
      if (pdf == letters) {
        EXPECT_NE(text.find("*****000" + std::to_string(i + 1)), std::string::npos) << text;
      }
    }
  }
  EXPECT_TRUE(store_->packs_awaiting_documents(10)->empty());
}

TEST_F(PackPaperTest, AFailedPaperPrintKeepsTheShipmentAndIsRetried) {
  for (const char* id : {"BJ-1-00000001", "BJ-1-00000002"}) passed_qc(id);
  auto w = worker();
  w->round();  // the printer's folder is missing: the paper cannot be printed
  for (const char* id : {"BJ-1-00000001", "BJ-1-00000002"})
    EXPECT_EQ(store_->status(id)->state, AppState::shipped) << id;
  const auto awaiting = store_->packs_awaiting_documents(10);
  ASSERT_TRUE(awaiting.ok());
  ASSERT_EQ(awaiting->size(), 1u);
  const std::string pack = awaiting->front();

  fs::create_directories(paper_dir_);
  w->round();  // the printer is back
  EXPECT_EQ(files(), (std::set<std::string>{pack + ".letters.pdf", pack + ".labels.pdf"}));
  EXPECT_EQ(pages(paper_dir_ / (pack + ".labels.pdf")), "2");
  EXPECT_TRUE(store_->packs_awaiting_documents(10)->empty());
  w->round();  // nothing printed twice
  EXPECT_EQ(files().size(), 2u);
}

TEST_F(PackPaperTest, APartlyPrintedPackSendsOnlyWhatIsMissing) {
  passed_qc("BJ-1-00000001");
  fs::create_directories(paper_dir_);
  auto f = Fulfilment::create(*store_, FulfilmentOptions{}, "test");
  ASSERT_TRUE(f.ok());
  auto packs = f->pack_mail();
  ASSERT_TRUE(packs.ok() && packs->size() == 1u);
  const std::string pack = packs->front().pack_id;
  ASSERT_TRUE(f->ship(pack).ok());
  // The letters went out before a crash; the labels did not.
  std::ofstream(paper_dir_ / (pack + ".letters.pdf")) << "earlier job";
  auto paper = PackPaper::create(*store_, cardd::test::shipped_region(),
                                 "dir://" + paper_dir_.string(), {}, "test");
  ASSERT_TRUE(paper.ok());
  ASSERT_TRUE(paper->print(pack).ok());
  EXPECT_EQ(files(), (std::set<std::string>{pack + ".letters.pdf", pack + ".labels.pdf"}));
  EXPECT_EQ(pages(paper_dir_ / (pack + ".labels.pdf")), "1");
}

TEST_F(PackPaperTest, AnUnshippedPackIsNotPrinted) {
  passed_qc("BJ-1-00000001");
  fs::create_directories(paper_dir_);
  auto f = Fulfilment::create(*store_, FulfilmentOptions{}, "test");
  ASSERT_TRUE(f.ok());
  auto packs = f->pack_mail();
  ASSERT_TRUE(packs.ok() && packs->size() == 1u);
  EXPECT_TRUE(store_->packs_awaiting_documents(10)->empty()) << "packed, not shipped";
  auto paper = PackPaper::create(*store_, cardd::test::shipped_region(),
                                 "dir://" + paper_dir_.string(), {}, "test");
  ASSERT_TRUE(paper.ok());
  auto s = paper->print(packs->front().pack_id);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, db::DbError::illegal_transition);
  EXPECT_TRUE(files().empty());
}

}  // namespace
}  // namespace cardd::server
