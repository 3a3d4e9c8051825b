// Retention in the store: the images of delivered and collected cards are
// deleted on request, audited, and gone from the file; nothing else goes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "raw_sql.h"
#include "store_fixture.h"

namespace cardd::db::test {
namespace {

class Retention : public StoreTest {
 protected:
  // Takes `id` from VALIDATED through production to `last`, as the lines and
  // fulfilment would.
  void walk(const std::string& id, const std::vector<AppState>& after_qc) {
    ASSERT_TRUE(store_->transition(id, AppState::queued, "line", "").ok());
    PreparedRecord card;
    card.profile = "test";
    card.card_number = "R" + id;
    card.pan = "6210" + std::to_string(std::hash<std::string>{}(id) % 1000000000000ULL);
    card.issue_date = CivilDate{2026, 12, 1};
    card.expiry_date = CivilDate{2036, 12, 1};
    card.bank = "ICBC";
    ASSERT_TRUE(store_->save_prepared(id, card, "line").ok());
    for (AppState s : {AppState::encoding, AppState::encoded, AppState::printing, AppState::printed,
                       AppState::qc_passed})
      ASSERT_TRUE(store_->transition(id, s, "line", "").ok()) << to_string(s);
    for (AppState s : after_qc)
      ASSERT_TRUE(store_->transition(id, s, "fulfilment", "").ok()) << to_string(s);
  }

  std::string file_bytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(path() + suffix, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      all += s.str();
    }
    return all;
  }

  static PurgeRequest before(std::string when, bool dry_run = false) {
    return PurgeRequest{std::move(when), "retention test", 1000, dry_run};
  }
};

constexpr const char* kTomorrow = "2999-01-01T00:00:00Z";
constexpr const char* kLongAgo = "2000-01-01T00:00:00Z";

TEST_F(Retention, DeliveredAndCollectedCardsLoseTheirImagesAndNothingElse) {
  auto mailed = sample("R-MAIL"), collected = sample("R-BRANCH"), on_way = sample("R-ONWAY");
  collected.details.collection = CollectionMethod::branch;
  ingest({mailed, collected, on_way});
  walk("R-MAIL", {AppState::packed, AppState::shipped, AppState::delivered});
  walk("R-BRANCH", {AppState::dispatched, AppState::ready_for_pickup, AppState::collected});
  walk("R-ONWAY", {AppState::packed, AppState::shipped});
  const std::string sealed_photo =
      text(path(), "SELECT hex(photo) FROM application_images WHERE application_id = 'R-MAIL'");
  ASSERT_FALSE(sealed_photo.empty());
  const auto history = store_->status("R-MAIL")->history.size();

  EXPECT_TRUE(store_->purge_images(before(kLongAgo))->empty()) << "delivered too recently";
  auto dry = store_->purge_images(before(kTomorrow, true));
  ASSERT_TRUE(dry.ok()) << dry.error().describe();
  EXPECT_EQ(*dry, (std::vector<std::string>{"R-BRANCH", "R-MAIL"}));
  EXPECT_EQ(store_->sensitive("R-MAIL", "test", "check")->photo, mailed.personal.photo)
      << "a dry run changes nothing";

  std::string bytes;
  for (std::size_t i = 0; i + 1 < sealed_photo.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(sealed_photo.substr(i, 2), nullptr, 16)));
  ASSERT_NE(file_bytes().find(bytes), std::string::npos) << "the search finds what is there";

  auto purged = store_->purge_images(before(kTomorrow));
  ASSERT_TRUE(purged.ok()) << purged.error().describe();
  EXPECT_EQ(*purged, (std::vector<std::string>{"R-BRANCH", "R-MAIL"}));
  for (const char* id : {"R-MAIL", "R-BRANCH"}) {
    auto holder = store_->sensitive(id, "test", "check");
    ASSERT_TRUE(holder.ok()) << holder.error().describe();
    EXPECT_TRUE(holder->photo.empty()) << id;
    EXPECT_TRUE(holder->id_front.empty()) << id;
    EXPECT_TRUE(holder->id_back.empty()) << id;
    EXPECT_EQ(holder->name, "王小明") << "the card's record keeps the holder";
  }
  EXPECT_EQ(store_->sensitive("R-ONWAY", "test", "check")->photo, on_way.personal.photo)
      << "a card on its way keeps its images";
  EXPECT_EQ(store_->status("R-MAIL")->history.size(), history) << "the history stays";
  EXPECT_EQ(store_->status("R-MAIL")->state, AppState::delivered);
  EXPECT_EQ(text(path(), "SELECT COUNT(*) FROM audit_log WHERE action = 'retention.purged'"), "2");
  EXPECT_TRUE(store_->purge_images(before(kTomorrow))->empty()) << "once is enough";

  // Not only unlinked: the sealed bytes are nowhere in the file or its log.
  EXPECT_EQ(file_bytes().find(bytes), std::string::npos);
}

}  // namespace
}  // namespace cardd::db::test
