// End to end through a real pcscd, vpcd and vcard processes, driven with the
// operator's commands: import → encode → read-card. Each vcard fault spoils
// the card with its reason, re-queues the application, and a second blank
// card completes it; the stock reconciles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <thread>

#include "cardd/card/pcsc_reader.h"
#include "cardd/common/pii.h"
#include "cardd/common/sha256.h"
#include "pcsc_encode_fixture.h"

namespace cardd::test {
namespace {

TEST_F(EncodeThroughPcsc, ImportEncodeReadShowsExactlyTheApplication) {
  const std::string rare = "\xF0\xA0\x80\x80";  // U+20000, outside the BMP
  const auto ids = import_applications(1, {"阿依古丽·买买提" + rare});
  insert_card("CAFE0001");
  auto r = encode(ids[0]);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("store data ssse"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("key proof ssse"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ENCODED on chip 47905301CAFE0001"), std::string::npos) << r.out;
  EXPECT_EQ(state(ids[0]), db::AppState::encoded);

  auto st = store();
  const auto sensitive = st->sensitive(ids[0], "test", "compare with the chip");
  const auto prepared = st->prepared(ids[0], "test", "compare with the chip");
  ASSERT_TRUE(sensitive.ok() && prepared.ok() && prepared->has_value());
  const auto status = st->status(ids[0]);
  ASSERT_TRUE(status.ok() && status->details);
  const db::ApplicationDetails& app = *status->details;

  const auto card = read_card();
  ASSERT_TRUE(card.is_object());
  EXPECT_EQ(card["life_cycle"], "SECURED");
  EXPECT_EQ(card["chip_id"], "47905301CAFE0001");
  const auto& items = card["items"];
  EXPECT_EQ(items["holder.name"], "阿依古丽·买买提" + rare);
  EXPECT_EQ(items["holder.ssn"], mask_id_number(sensitive->id_number)) << "masked by default";
  EXPECT_EQ(items["card.number"], (*prepared)->card_number);
  EXPECT_EQ(items["holder.gender"], app.female ? "2" : "1");
  EXPECT_EQ(items["holder.birth_date"], fmt::format("{:04}{:02}{:02}", app.birth_date.year,
                                                    app.birth_date.month, app.birth_date.day));
  EXPECT_EQ(items["card.identification_code"], "110000D15600000547905301CAFE0001");
  EXPECT_EQ(card["applications"]["ssse"], "PERSONALIZED");
  EXPECT_TRUE(card["unread"].empty());
  EXPECT_EQ(items["fin.pan"], mask_tail4((*prepared)->pan));
  // The chip's photo, read back over PC/SC, is the prepared JPEG byte for
  // byte (cardctl shows a JPEG as its size and digest).
  const auto record = nlohmann::json::parse((*prepared)->data);
  const auto photo = from_hex(record["items"]["holder.photo"].get<std::string>());
  ASSERT_TRUE(photo.has_value() && photo->size() > 1000);
  const std::string_view raw(reinterpret_cast<const char*>(photo->data()), photo->size());
  EXPECT_EQ(items["holder.photo"],
            fmt::format("{} bytes, SHA-256 {}…", photo->size(), to_hex(sha256(raw)).substr(0, 16)));
  EXPECT_EQ(read_card(true)["items"]["holder.ssn"], sensitive->id_number);
  // A counter without the reading key sees the card information only, and why.
  const auto public_only = read_card(false, false);
  EXPECT_EQ(public_only["items"]["card.number"], (*prepared)->card_number);
  EXPECT_FALSE(public_only["items"].contains("holder.name"));
  EXPECT_EQ(public_only["unread"][0], "holder: needs the key \"reading\" (0A): no HSM");
  EXPECT_EQ(public_only["life_cycle"], "UNKNOWN (needs the card manager's keys)");
}

// The second region, added as data only: an SM4 card (SCP03 with SM4 keys)
// personalized through pcscd with Tianjin's codes.
class TianjinThroughPcsc : public EncodeThroughPcsc {
 protected:
  TianjinThroughPcsc() : EncodeThroughPcsc("tianjin") {}
};

TEST_F(TianjinThroughPcsc, ImportEncodeReadAnSm4Card) {
  const auto ids = import_applications(1, {"张伟"});
  insert_card("CAFE0001");
  auto r = encode(ids[0]);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ENCODED on chip 47905301CAFE0001"), std::string::npos) << r.out;
  EXPECT_EQ(state(ids[0]), db::AppState::encoded);
  const auto prepared = store()->prepared(ids[0], "test", "test");
  ASSERT_TRUE(prepared.ok() && prepared->has_value());
  const auto card = read_card();
  ASSERT_TRUE(card.is_object());
  EXPECT_EQ(card["life_cycle"], "SECURED");
  EXPECT_EQ(card["items"]["holder.name"], "张伟");
  EXPECT_EQ(card["items"]["card.number"], (*prepared)->card_number);
  EXPECT_EQ(card["items"]["card.identification_code"], "120000D15600000547905301CAFE0001");
}

TEST_F(EncodeThroughPcsc, APersonalizedCardRefusesASecondPersonalization) {
  const auto ids = import_applications(2);
  insert_card("CAFE0002");
  ASSERT_EQ(encode(ids[0]).exit_code, 0);
  // Our own stock refuses the chip: it is used.
  auto again = encode(ids[1]);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("encode.chip_refused"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("used already"), std::string::npos) << again.err;
  EXPECT_EQ(state(ids[1]), db::AppState::prepared);
  // Another issuance database that believes the chip is blank: the card's
  // own life cycles (GET STATUS) refuse it before anything is written, and
  // the good card is not terminated.
  const auto other_db = (dir_.path() / "other.db").string();
  ASSERT_EQ(cardctl(with_hsm({"import", (dir_.path() / "batch.jsonl").string(), "--db", other_db}))
                .exit_code,
            0);
  ASSERT_EQ(cardctl(with_hsm({"stock", "add-lot", "--db", other_db, "--lot", "L", "--first-serial",
                              "CAFE0001", "--count", "5"}))
                .exit_code,
            0);
  std::vector<std::string> args{"encode", ids[1], "--db", other_db, "--reader", kSlot};
  for (auto& a : hsm_args()) args.push_back(a);
  auto refused = cardctl(args);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("encode.chip_refused"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("is PERSONALIZED already"), std::string::npos) << refused.err;
  EXPECT_EQ(read_card()["life_cycle"], "SECURED");
}

// A card machine's line: encode, eject, and the hopper's next blank card (the
// next serial of the same stock lot) takes the next application.
TEST_F(EncodeThroughPcsc, EjectAfterEncodeBringsTheNextBlankCard) {
  const auto ids = import_applications(2);
  insert_hopper("CAFE0005", 2);
  auto first = encode(ids[0]);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("ENCODED on chip 47905301CAFE0005"), std::string::npos) << first.out;

  auto reader = card::open_pcsc_reader(kSlot);
  ASSERT_TRUE(reader.ok()) << reader.error().describe();
  const auto ejected = (*reader)->eject();
  ASSERT_TRUE(ejected.ok()) << ejected.error().describe();
  ASSERT_TRUE((*reader)->wait_for_card(std::chrono::seconds(10)).ok());

  auto second = encode(ids[1]);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("ENCODED on chip 47905301CAFE0006"), std::string::npos) << second.out;
  EXPECT_EQ(state(ids[0]), db::AppState::encoded);
  EXPECT_EQ(state(ids[1]), db::AppState::encoded);
  // The ejected card left the slot finished (SECURED, 0x0F) and is kept.
  std::ifstream kept(dir_.path() / "out" / "CAFE0005.json");
  const auto card = nlohmann::json::parse(kept, nullptr, false);
  ASSERT_TRUE(card.is_object());
  EXPECT_EQ(card["life_cycle"], 0x0F);
  auto stock = store()->stock();
  ASSERT_TRUE(stock.ok() && stock->size() == 1);
  EXPECT_EQ(stock->front().used, 2);
}

// A card whose answers make no sense (a CPLC too short to hold a serial) is
// refused before anything is claimed or written; the next card makes the
// application.
TEST_F(EncodeThroughPcsc, ACardWhoseAnswersMakeNoSenseIsRefusedBeforeAnyClaim) {
  const auto ids = import_applications(1);
  insert_card("CAFE0005", {"--short-cplc"});
  auto refused = encode(ids[0]);
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.err.find("encode.bad_card"), std::string::npos) << refused.err;
  EXPECT_EQ(state(ids[0]), db::AppState::prepared) << "its data ready for the next card";
  EXPECT_TRUE(store()->cards_of(ids[0])->empty()) << "no chip serial, no claim";

  insert_card("CAFE0006");
  auto good = encode(ids[0]);
  ASSERT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_EQ(state(ids[0]), db::AppState::encoded);
  EXPECT_EQ(store()->cards_of(ids[0])->size(), 1u);
}

struct FaultCase {
  const char* name;
  std::vector<std::string> options;
  const char* reason;
  // The spoiled card holds data and cannot be terminated (it left its
  // reader, its secure channel fails, or it ignores SET STATUS): its numbers
  // are retired and the next card gets new ones.
  bool numbers_retired;
};

// Test names and failure messages show the fault's name, not its bytes.
void PrintTo(const FaultCase& f, std::ostream* os) { *os << f.name; }

class EncodeFaults : public EncodeThroughPcsc, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(EncodeFaults, SpoilWithTheReasonRequeueAndASecondCardCompletes) {
  const FaultCase& f = GetParam();
  const auto ids = import_applications(1);
  insert_card("CAFE0003", f.options);
  auto failed = encode(ids[0]);
  EXPECT_NE(failed.exit_code, 0) << failed.out;
  EXPECT_NE(failed.err.find(std::string("encode.") + f.reason), std::string::npos) << failed.err;
  EXPECT_EQ(state(ids[0]), db::AppState::queued);
  // Retired numbers leave no prepared card behind; kept ones stay prepared.
  const auto prepared_before = *store()->prepared(ids[0], "test", "test");
  EXPECT_EQ(prepared_before.has_value(), !f.numbers_retired);

  insert_card("CAFE0004");
  auto good = encode(ids[0]);
  ASSERT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_EQ(state(ids[0]), db::AppState::encoded);
  const auto prepared_after = *store()->prepared(ids[0], "test", "test");
  auto retired = store()->retired_numbers();
  ASSERT_TRUE(retired.ok());
  if (f.numbers_retired) {
    ASSERT_EQ(retired->size(), 1u);
    EXPECT_NE(prepared_after->card_number, retired->front().card_number)
        << "a card that may still hold the numbers leaves them behind";
    EXPECT_EQ(retired->front().application_id, ids[0]);
    EXPECT_EQ(retired->front().reason, f.reason);
  } else {
    ASSERT_TRUE(prepared_before.has_value());
    EXPECT_EQ(prepared_after->card_number, prepared_before->card_number)
        << "the terminated card's replacement carries the same card number";
    EXPECT_TRUE(retired->empty());
  }

  auto cards = store()->cards_of(ids[0]);
  ASSERT_TRUE(cards.ok());
  ASSERT_EQ(cards->size(), 2u);
  EXPECT_EQ((*cards)[0].state, db::CardState::spoiled);
  EXPECT_EQ((*cards)[0].reason, f.reason);
  EXPECT_EQ((*cards)[1].state, db::CardState::encoded);
  auto stock = store()->stock();
  ASSERT_TRUE(stock.ok() && stock->size() == 1);
  const auto& l = stock->front();
  EXPECT_EQ(l.used, 1);
  EXPECT_EQ(l.spoiled, 1);
  EXPECT_EQ(l.received, l.used + l.spoiled + l.left);
  auto shown = cardctl({"stock", "--db", db_path()});
  EXPECT_NE(shown.out.find("LOT-A"), std::string::npos) << shown.out;
}

INSTANTIATE_TEST_SUITE_P(
    Vcard, EncodeFaults,
    ::testing::Values(FaultCase{"removed", {"--remove-after", "6"}, "card_removed", true},
                      FaultCase{"mute", {"--mute-after", "6"}, "mute_card", true},
                      FaultCase{"torn", {"--tear-store-data", "2"}, "card_removed", true},
                      // The first protected answer (GET STATUS, before any write)
                      // fails: nothing on the card, its numbers kept.
                      FaultCase{"rmac", {"--corrupt-rmac"}, "secure_channel", false},
                      FaultCase{"readback", {"--corrupt-read", "8"}, "readback_mismatch", false},
                      FaultCase{"keyproof", {"--wrong-internal-auth"}, "key_proof_failed", false},
                      // Neither locked nor terminated: its numbers are retired.
                      FaultCase{"lock", {"--ignore-set-status"}, "lock_failed", true},
                      // STORE DATA refused: the card is terminated, its numbers kept.
                      FaultCase{"refused", {"--refuse", "E2:6A80"}, "wrong_status_word", false}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace cardd::test
