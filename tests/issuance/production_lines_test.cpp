// The production lines with in-process card hoppers and a directory printer:
// slots work through the queue by themselves, each application ends with one
// good card, a stop parks the work and a new start finishes it, a paused
// slot takes no card, and a slot whose reader is away leaves the rotation
// and comes back.
#include "cardd/server/production_lines.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "in_process_card.h"
#include "issuance_fixture.h"
#include "lines/line_control_worker.h"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;

// A card machine's input hopper in-process: a stack of blank cards; the
// host's eject takes the card out and the next one comes in.
class Hopper {
 public:
  Hopper(std::uint32_t first_serial, int count) {
    for (int i = 0; i < count; ++i)
      cards_.push_back(blank_card(first_serial + static_cast<std::uint32_t>(i)));
  }
  vcard::VirtualCard* current() {
    std::lock_guard lock(mutex_);
    return next_ < cards_.size() ? cards_[next_].get() : nullptr;
  }
  void eject() {
    std::lock_guard lock(mutex_);
    ++next_;
  }
  std::size_t used() {
    std::lock_guard lock(mutex_);
    return next_;
  }
  std::atomic<bool> reader_present = true;
  std::function<void()> before_command;  // set before the slots start

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<vcard::VirtualCard>> cards_;
  std::size_t next_ = 0;
};

class HopperReader final : public card::Reader {
 public:
  HopperReader(Hopper& hopper, std::string name) : hopper_(hopper), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  Result<card::Bytes> connect() override {
    if (auto* c = card()) return vcard::InProcessReader(*c).connect();
    return gone();
  }
  Status disconnect() override { return {}; }
  Status eject() override {
    hopper_.eject();
    return {};
  }
  Result<card::ResponseApdu> transmit(const card::CommandApdu& command) override {
    if (hopper_.before_command) hopper_.before_command();
    if (auto* c = card()) return vcard::InProcessReader(*c).transmit(command);
    return gone();
  }
  Status wait_for_card(std::chrono::milliseconds t) override {
    if (!hopper_.reader_present) return make_error(card::ReaderError::reader_lost, "unplugged");
    if (hopper_.current() != nullptr) return {};
    std::this_thread::sleep_for(t);
    return make_error(card::ReaderError::timeout, "the hopper is empty");
  }
  Status wait_for_removal(std::chrono::milliseconds t) override {
    std::this_thread::sleep_for(t);
    return {};
  }

 private:
  vcard::VirtualCard* card() { return hopper_.reader_present ? hopper_.current() : nullptr; }
  Error gone() {
    return hopper_.reader_present ? make_error(card::ReaderError::no_card, "hopper empty")
                                  : make_error(card::ReaderError::reader_lost, "unplugged");
  }
  Hopper& hopper_;
  std::string name_;
};

class ProductionLinesTest : public IssuanceFixture {
 protected:
  void SetUp() override {
    IssuanceFixture::SetUp();
    std::filesystem::create_directories(dir_.path() / "printed");
  }

  std::unique_ptr<server::ProductionLines> lines(const std::vector<std::string>& slots) {
    if (!hsm_) hsm_ = open_soft_hsm(dir_.path());
    if (!store_) store_ = store();
    server::LineConfig line{"line-1", slots, "dir://" + (dir_.path() / "printed").string()};
    server::LineTimings fast{50ms, 50ms, 1000ms, 200ms};
    auto made = server::ProductionLines::create(
        *store_, *hsm_, profile_, region(), {line}, fast, [] {},
        [this](const std::string& pattern) -> Result<std::unique_ptr<card::Reader>> {
          Hopper& h = *hoppers_.at(pattern);
          if (!h.reader_present) return make_error(card::ReaderError::no_reader, "no " + pattern);
          return std::unique_ptr<card::Reader>(std::make_unique<HopperReader>(h, pattern));
        });
    EXPECT_TRUE(made.ok()) << made.error().describe();
    return made.ok() ? std::move(*made) : nullptr;
  }

  // Polls until `done` or ~60 s.
  template <typename F>
  bool eventually(F&& done) {
    for (int i = 0; i < 1200; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  std::int64_t in_state(db::AppState s) {
    auto counts = store_->count_by_state();
    return counts->contains(s) ? counts->at(s) : 0;
  }

  void expect_one_good_card_each(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      EXPECT_EQ(store_->status(id)->state, db::AppState::qc_passed) << id;
      int good = 0;
      auto cards = store_->cards_of(id);
      for (const auto& c : *cards) good += c.state == db::CardState::encoded;
      EXPECT_EQ(good, 1) << id;
    }
  }

  std::map<std::string, std::unique_ptr<Hopper>> hoppers_;
  std::unique_ptr<hsm::Hsm> hsm_;
  std::unique_ptr<db::Store> store_;
};

TEST_F(ProductionLinesTest, TwoSlotsMakeEveryCardOnceAndShareTheWork) {
  add_lot("L", "CAFE0000", 20);
  const auto ids = import_applications(8);
  hoppers_["A"] = std::make_unique<Hopper>(0xCAFE0000, 10);
  hoppers_["B"] = std::make_unique<Hopper>(0xCAFE000A, 10);
  auto l = lines({"A", "B"});
  ASSERT_TRUE(l);
  l->start();
  EXPECT_TRUE(eventually([&] { return in_state(db::AppState::qc_passed) == 8; }));
  l->stop();
  expect_one_good_card_each(ids);
  std::int64_t made = 0;
  for (const auto& s : l->status()) {
    EXPECT_GT(s.made, 0) << s.slot << " did no work";
    made += s.made;
  }
  EXPECT_EQ(made, 8);
  EXPECT_EQ(hoppers_["A"]->used() + hoppers_["B"]->used(), 8u);
  auto stock = store_->stock();
  EXPECT_EQ(stock->front().used, 8);
  EXPECT_EQ(stock->front().spoiled, 0);
  // Faces went to the line's printer, two sides per card.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& f :
       std::filesystem::directory_iterator(dir_.path() / "printed"))
    ++files;
  EXPECT_GE(files, 16u);
}

TEST_F(ProductionLinesTest, AStopParksTheWorkAndTheNextStartFinishesIt) {
  add_lot("L", "CAFE0000", 20);
  const auto ids = import_applications(6);
  hoppers_["A"] = std::make_unique<Hopper>(0xCAFE0000, 10);
  {
    auto l = lines({"A"});
    ASSERT_TRUE(l);
    l->start();
    EXPECT_TRUE(eventually([&] { return in_state(db::AppState::qc_passed) >= 2; }));
    l->stop();
  }
  EXPECT_LT(in_state(db::AppState::qc_passed), 6) << "the stop came too late to prove anything";
  auto l = lines({"A"});
  l->start();
  EXPECT_TRUE(eventually([&] { return in_state(db::AppState::qc_passed) == 6; }));
  l->stop();
  expect_one_good_card_each(ids);
  EXPECT_EQ(store_->stock()->front().spoiled, 0);
}

TEST_F(ProductionLinesTest, APausedSlotTakesNoCardAndAnUnpluggedReaderComesBack) {
  add_lot("L", "CAFE0000", 20);
  const auto ids = import_applications(4);
  hoppers_["A"] = std::make_unique<Hopper>(0xCAFE0000, 10);
  hoppers_["B"] = std::make_unique<Hopper>(0xCAFE000A, 10);
  hoppers_["B"]->reader_present = false;
  auto l = lines({"A", "B"});
  ASSERT_TRUE(l->pause("line-1", "A").ok());
  EXPECT_FALSE(l->pause("line-9").ok());
  l->start();
  EXPECT_TRUE(eventually([&] {
    for (const auto& s : l->status())
      if (s.slot == "B" && s.activity == "reader missing") return true;
    return false;
  }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(hoppers_["A"]->used(), 0u) << "a paused slot took a card";
  EXPECT_EQ(in_state(db::AppState::qc_passed), 0);
  hoppers_["B"]->reader_present = true;
  EXPECT_TRUE(eventually([&] { return in_state(db::AppState::qc_passed) == 4; }));
  EXPECT_EQ(hoppers_["A"]->used(), 0u);
  ASSERT_TRUE(l->resume("line-1").ok());
  l->stop();
  expect_one_good_card_each(ids);
}

// The reader goes during QC, and the card machine comes back powered up
// afresh: the card it held left the encoder written but unchecked. The slot
// sees another card in its reader, spoils the lost one (card_removed, its
// numbers retired: it cannot be made unusable) and makes the application
// again on the new card.
TEST_F(ProductionLinesTest, ACardLostWithItsReaderAfterPrintingIsSpoiledAndMadeAgain) {
  add_lot("L", "CAFE0000", 20);
  const auto ids = import_applications(1);
  hoppers_["A"] = std::make_unique<Hopper>(0xCAFE0000, 10);
  Hopper& machine = *hoppers_["A"];
  std::atomic<bool> lost = false;
  machine.before_command = [&] {
    if (lost || store_->status(ids[0])->state != db::AppState::printed) return;
    lost = true;
    machine.reader_present = false;
  };
  auto l = lines({"A"});
  ASSERT_TRUE(l);
  l->start();
  ASSERT_TRUE(eventually([&] {
    for (const auto& s : l->status())
      if (lost && s.activity == "reader missing") return true;
    return false;
  }));
  EXPECT_EQ(store_->status(ids[0])->state, db::AppState::printed);
  machine.eject();  // the powered-up machine no longer holds that card
  machine.reader_present = true;
  EXPECT_TRUE(eventually([&] { return in_state(db::AppState::qc_passed) == 1; }));
  l->stop();
  expect_one_good_card_each(ids);
  auto cards = store_->cards_of(ids[0]);
  ASSERT_TRUE(cards.ok());
  ASSERT_EQ(cards->size(), 2u);
  for (const auto& c : *cards) {
    if (c.state != db::CardState::spoiled) continue;
    EXPECT_EQ(c.chip_id.substr(8), "CAFE0000") << "the card lost with the reader";
    EXPECT_EQ(c.reason, "card_removed");
  }
  EXPECT_EQ(store_->retired_numbers()->size(), 1u);
  EXPECT_EQ(store_->stock()->front().spoiled, 1);
}

// The operator's flags in the database reach the slots at each poll; a
// flag that did not change there leaves an in-process pause alone.
TEST_F(ProductionLinesTest, TheOperatorsFlagsInTheDatabaseReachTheSlots) {
  hoppers_["A"] = std::make_unique<Hopper>(0xCAFE0000, 1);
  hoppers_["B"] = std::make_unique<Hopper>(0xCAFE000A, 1);
  auto l = lines({"A", "B"});
  ASSERT_TRUE(l);
  server::LineControlWorker control(*store_, *l, 1s);
  const auto paused = [&](const std::string& slot) {
    for (const auto& s : l->status())
      if (s.slot == slot) return s.paused;
    ADD_FAILURE() << "no slot " << slot;
    return false;
  };
  ASSERT_TRUE(store_->set_paused("line-1", "B", true, "op").ok());
  control.poll();
  EXPECT_FALSE(paused("A"));
  EXPECT_TRUE(paused("B"));
  ASSERT_TRUE(l->pause("line-1", "A").ok());  // in-process
  control.poll();
  EXPECT_TRUE(paused("A")) << "an unchanged flag does not undo an in-process pause";
  ASSERT_TRUE(store_->set_paused("line-1", "", true, "op").ok());
  ASSERT_TRUE(store_->set_paused("line-1", "", false, "op").ok());
  control.poll();
  EXPECT_FALSE(paused("B")) << "resuming the line resumes its slots";
  auto reports = store_->slot_reports();
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), 2u);
  EXPECT_EQ((*reports)[0].slot, "A");
  EXPECT_TRUE((*reports)[0].paused);
  EXPECT_FALSE((*reports)[0].reporter.empty());
}

}  // namespace
}  // namespace cardd::test
