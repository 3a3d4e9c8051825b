// QC after printing, with the printed card's chip read back in-process: a
// card whose chip, face and application agree passes; one that disagrees is
// spoiled and its application queued for a new card; another card in the
// reader changes nothing.
#include "cardd/server/quality_check.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cardd/vcard/virtual_card.h"
#include "in_process_card.h"
#include "issuance_fixture.h"

namespace cardd::test {
namespace {

class QualityCheckTest : public IssuanceFixture {
 protected:
  // Encodes one application (in_process_card.h) and prints it into a
  // directory; returns the card as it left the encoder.
  vcard::CardState encoded_and_printed(const std::string& id, std::uint8_t serial) {
    vcard::CardState chip = encode_in_process(dir_, *store(), profile_, id, serial);
    std::filesystem::create_directories(dir_.path() / "out");
    auto printed =
        cardctl(with_hsm({"print", id, "--db", db_path(), "--printer",
                          "dir://" + (dir_.path() / "out").string(), "--region", region_name()}));
    EXPECT_EQ(printed.exit_code, 0) << printed.out << printed.err;
    return chip;
  }

  Result<server::QcOutcome> check(const std::string& id, const vcard::CardState& chip) {
    vcard::VirtualCard card(chip);
    vcard::InProcessReader reader(card);
    auto st = store();
    auto hsm = open_soft_hsm(dir_.path());
    server::QualityCheck qc(*st, *hsm, profile_, region(), "qc@test");
    return qc.check(id, reader);
  }

  db::AppState state(const std::string& id) { return store()->status(id)->state; }
};

TEST_F(QualityCheckTest, ACardThatAgreesEverywherePasses) {
  add_lot("L", "CAFE0000", 4);
  const auto ids = import_applications(1);
  const auto chip = encoded_and_printed(ids[0], 1);
  ASSERT_EQ(state(ids[0]), db::AppState::printed);
  auto r = check(ids[0], chip);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->passed);
  EXPECT_TRUE(r->mismatches.empty());
  EXPECT_EQ(state(ids[0]), db::AppState::qc_passed);
  // The bureau hears the card number with the change.
  auto pending = store()->pending_outbox(1000);
  const auto last = nlohmann::json::parse(pending->back().payload);
  EXPECT_EQ(last["state"], "QC_PASSED");
  EXPECT_EQ(last.value("card_number", "").size(), 9u);
}

TEST_F(QualityCheckTest, ACardThatDisagreesIsSpoiledAndItsApplicationQueued) {
  add_lot("L", "CAFE0000", 4);
  const auto ids = import_applications(1);
  auto chip = encoded_and_printed(ids[0], 1);
  // The chip's card number (SSSE, SFI 5, tag 07) ends in another digit.
  bool tampered = false;
  for (auto& [number, record] : chip.ssse.records.at(5))
    if (!record.empty() && record[0] == 0x07) {
      record.back() = record.back() == '0' ? '1' : '0';
      tampered = true;
    }
  ASSERT_TRUE(tampered);
  auto r = check(ids[0], chip);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->mismatches, std::vector<std::string>{"card_number"});
  EXPECT_EQ(state(ids[0]), db::AppState::queued);
  auto cards = store()->cards_of(ids[0]);
  ASSERT_EQ(cards->size(), 1u);
  EXPECT_EQ(cards->front().state, db::CardState::spoiled);
  EXPECT_EQ(cards->front().reason, "qc_mismatch");
  EXPECT_EQ(store()->stock()->front().spoiled, 1);
}

TEST_F(QualityCheckTest, AnotherCardInTheReaderChangesNothing) {
  add_lot("L", "CAFE0000", 4);
  const auto ids = import_applications(2);
  const auto first = encoded_and_printed(ids[0], 1);
  const auto second = encoded_and_printed(ids[1], 2);
  auto r = check(ids[0], second);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, server::FulfilmentError::wrong_card) << r.error().describe();
  EXPECT_EQ(state(ids[0]), db::AppState::printed);
  EXPECT_EQ(state(ids[1]), db::AppState::printed);
  EXPECT_TRUE(check(ids[0], first)->passed);
}

}  // namespace
}  // namespace cardd::test
