// The Issuance service with the virtual card in-process (no pcscd): the
// records that go with a session (claim, spoil, re-queue, interrupted
// sessions), preparation errors, and the 3DES/SCP02 and SM4 profiles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "cardd/personalization/card_reader.h"
#include "cardd/printer/error.h"
#include "cardd/server/issuance.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/virtual_card.h"
#include "flaky_hsm.h"
#include "in_process_card.h"
#include "issuance_fixture.h"
#include "softhsm_token.h"

namespace cardd::test {
namespace {

using personalization::EncodeError;

std::string profile_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class IssuanceInProcess : public IssuanceFixture {
 protected:
  using IssuanceFixture::IssuanceFixture;

  Result<server::EncodeOutcome> encode(const std::string& id, vcard::VirtualCard& card) {
    auto hsm = open_soft_hsm(dir_.path());
    auto st = store();
    server::Issuance issuance(*st, *hsm, profile_, "test");
    vcard::InProcessReader reader(card);
    return issuance.encode(id, reader);
  }

  Result<personalization::PreparedCard> prepare(const std::string& id) {
    auto hsm = open_soft_hsm(dir_.path());
    auto st = store();
    server::Issuance issuance(*st, *hsm, profile_, "test");
    return issuance.prepare(id);
  }

  void use_profile(const std::string& text) {
    auto p = personalization::parse_card_profile(text, "variant.toml");
    ASSERT_TRUE(p.ok()) << p.error().describe();
    profile_ = server::with_region_issuer(std::move(*p), region());
    dir_ = TempDir();
    provision_keys();
  }

  db::AppState state(const std::string& id) { return store()->status(id)->state; }
};

TEST_F(IssuanceInProcess, EncodedCardHoldsThePreparedDataAndIsLocked) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1, {"王小明"});
  auto card = blank_card(0xCAFE0001);
  auto r = encode(ids[0], *card);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->chip_id, "47905301CAFE0001");
  EXPECT_EQ(state(ids[0]), db::AppState::encoded);
  EXPECT_EQ(card->state().life_cycle, vcard::LifeCycle::secured);
  EXPECT_EQ(card->state().ssse.keys.size(), 6u);
  ASSERT_TRUE(card->state().ssse.pin.has_value());
  EXPECT_EQ(card->state().ssse.pin->digits, (vcard::Bytes{1, 2, 3, 4, 5, 6}));
  vcard::InProcessReader reader(*card);
  auto hsm = open_soft_hsm(dir_.path());
  auto contents = personalization::read_card(reader, profile_, hsm.get());
  ASSERT_TRUE(contents.ok()) << contents.error().describe();
  EXPECT_EQ(contents->items.at("holder.name"), "王小明");
  EXPECT_EQ(contents->items.at("card.number"), r->card_number);
  EXPECT_EQ(contents->items.at("card.identification_code"), r->card_identification_code);
  EXPECT_EQ(contents->items.at("card.identification_code"), "110000D15600000547905301CAFE0001");
  EXPECT_EQ(contents->items.at("holder.birth_place"),
            contents->items.at("holder.ssn").substr(0, 6));
  EXPECT_TRUE(contents->unread.empty());
  // GlobalPlatform: the card SECURED, each application PERSONALIZED.
  EXPECT_EQ(contents->life_cycle, "SECURED");
  EXPECT_EQ(contents->application_life_cycles.at("ssse"), "PERSONALIZED");
  EXPECT_EQ(contents->application_life_cycles.at("financial"), "PERSONALIZED");
  EXPECT_EQ(card->state().ssse.life_cycle, 0x0F);

  // Without the terminal's keys the holder's files stay closed, and say why.
  auto public_only = personalization::read_card(reader, profile_);
  ASSERT_TRUE(public_only.ok()) << public_only.error().describe();
  EXPECT_EQ(public_only->items.at("card.number"), r->card_number);
  EXPECT_FALSE(public_only->items.contains("holder.name"));
  EXPECT_FALSE(public_only->items.contains("holder.photo"));
  ASSERT_EQ(public_only->unread.size(), 2u);
  EXPECT_EQ(public_only->unread[0], "holder: needs the key \"reading\" (0A): no HSM");
  EXPECT_EQ(public_only->life_cycle, "UNKNOWN (needs the card manager's keys)");
  // The photo file holds the re-encoded photo, read back through READ BINARY.
  const auto& photo = card->state().ssse.binaries.at(8);
  EXPECT_LE(photo.size(), 16384u);
  EXPECT_GT(photo.size(), 2000u);
  EXPECT_EQ(contents->items.at("holder.photo"), cardd::to_hex(photo, HexCase::upper));
}

TEST_F(IssuanceInProcess, ThePreparedCardIsStoredOnlyEncryptedUnderHsmKeys) {
  const auto ids = import_applications(1, {"王小明"});
  auto hsm = open_soft_hsm(dir_.path());
  auto st = store();
  server::Issuance issuance(*st, *hsm, profile_, "test");
  auto card = issuance.prepare(ids[0]);
  ASSERT_TRUE(card.ok()) << card.error().describe();
  auto record = st->prepared(ids[0], "test", "test");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->pan, card->pan);
  EXPECT_EQ((*record)->name, "王小明");
  EXPECT_EQ((*record)->issue_date, card->issue_date);
  // What the file holds: sealed under the storage keys (format 1, key version 1).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* read = nullptr;
  sqlite3_prepare_v2(db, "SELECT data FROM prepared_cards", -1, &read, nullptr);
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
  const std::string data(static_cast<const char*>(sqlite3_column_blob(read, 0)),
                         static_cast<std::size_t>(sqlite3_column_bytes(read, 0)));
  sqlite3_finalize(read);
  sqlite3_close(db);
  EXPECT_EQ(data.substr(0, 5), std::string("CS\x01\x00\x01", 5));
  const std::string ssn = st->sensitive(ids[0], "test", "test")->id_number;
  EXPECT_EQ(data.find(ssn), std::string::npos);
  EXPECT_EQ(data.find(card->pan), std::string::npos);
  EXPECT_EQ(data.find("王小明"), std::string::npos);
  EXPECT_EQ(data.find("holder"), std::string::npos);
  // Encoding reads it back through the HSM.
  auto blank = blank_card(0xCAFE0001);
  add_lot("L", "CAFE0000", 10);
  vcard::InProcessReader reader(*blank);
  auto encoded = issuance.encode(ids[0], reader);
  ASSERT_TRUE(encoded.ok()) << encoded.error().describe();
  EXPECT_EQ(encoded->card_number, card->card_number);
}

TEST_F(IssuanceInProcess, AnAlteredPreparedRecordDoesNotOpen) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  ASSERT_TRUE(prepare(ids[0]).ok());
  // Flip one ciphertext byte of the record in the database file.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* read = nullptr;
    sqlite3_prepare_v2(db, "SELECT data FROM prepared_cards", -1, &read, nullptr);
    ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(read, 0));
    std::string data(bytes, static_cast<std::size_t>(sqlite3_column_bytes(read, 0)));
    sqlite3_finalize(read);
    data[40] = static_cast<char>(data[40] ^ 0x01);
    sqlite3_stmt* write = nullptr;
    sqlite3_prepare_v2(db, "UPDATE prepared_cards SET data = ?1", -1, &write, nullptr);
    sqlite3_bind_blob(write, 1, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(write), SQLITE_DONE);
    sqlite3_finalize(write);
    sqlite3_close(db);
  }
  auto card = blank_card(0xCAFE0001);
  auto r = encode(ids[0], *card);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, db::DbError::unsealable) << r.error().describe();
  EXPECT_TRUE(card->state().ssse.records.empty());
  EXPECT_EQ(state(ids[0]), db::AppState::prepared);
}

TEST_F(IssuanceInProcess, AnHsmThatCannotDoTheProfileIsRefusedBeforeAnyCard) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  // SoftHSM2 has no SP 800-108 KDF: SCP03 card keys cannot be derived there.
  SoftHsmToken token;
  auto hsm = hsm::open_hsm(token.hsm_config());
  ASSERT_TRUE(hsm.ok()) << hsm.error().describe();
  auto st = store();
  server::Issuance issuance(*st, **hsm, profile_, "test");
  auto card = blank_card(0xCAFE0001);
  vcard::InProcessReader reader(*card);
  auto r = issuance.encode(ids[0], reader);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EncodeError::hsm_failure);
  EXPECT_NE(r.error().message.find("aes128 derive_sp800_108"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(state(ids[0]), db::AppState::validated) << "nothing moved";
  EXPECT_TRUE(card->state().ssse.records.empty());
}

TEST_F(IssuanceInProcess, AChipOutsideTheStockIsRefusedAndNothingIsWritten) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto card = blank_card(0x0BAD0001);
  auto r = encode(ids[0], *card);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EncodeError::chip_refused);
  EXPECT_EQ(state(ids[0]), db::AppState::prepared);
  EXPECT_TRUE(card->state().ssse.records.empty());
  EXPECT_EQ(card->state().life_cycle, vcard::LifeCycle::initialized);
}

TEST_F(IssuanceInProcess, AMissingHsmKeyCostsNoCard) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  ASSERT_TRUE(open_soft_hsm(dir_.path())->destroy("bj3.ssse.iak").ok());
  auto card = blank_card(0xCAFE0001);
  auto r = encode(ids[0], *card);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EncodeError::hsm_failure);
  EXPECT_EQ(state(ids[0]), db::AppState::prepared);
  EXPECT_TRUE(store()->cards_of(ids[0])->empty()) << "the chip was never claimed";
}

// A reader that makes `hsm` go away once the card has taken its first
// STORE DATA: the chip is claimed and partly written.
class HsmGoneAtFirstStoreData final : public card::Reader {
 public:
  HsmGoneAtFirstStoreData(vcard::VirtualCard& card, FlakyHsm& hsm) : inner_(card), hsm_(hsm) {}
  std::string name() const override { return inner_.name(); }
  Result<card::Bytes> connect() override { return inner_.connect(); }
  Status disconnect() override { return inner_.disconnect(); }
  Result<card::ResponseApdu> transmit(const card::CommandApdu& command) override {
    auto response = inner_.transmit(command);
    if (command.ins == 0xE2) hsm_.set_gone(true);
    return response;
  }
  Status wait_for_card(std::chrono::milliseconds t) override { return inner_.wait_for_card(t); }
  Status wait_for_removal(std::chrono::milliseconds t) override {
    return inner_.wait_for_removal(t);
  }

 private:
  vcard::InProcessReader inner_;
  FlakyHsm& hsm_;
};

// The HSM gone while a card is written (a token pulled, a network HSM out
// of reach): the card is spoiled as hsm_failure and the application waits
// for another; with the HSM back, the next card is made.
TEST_F(IssuanceInProcess, AnHsmGoneMidCardSpoilsItAsHsmFailureAndTheNextCardIsMade) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  FlakyHsm hsm(open_soft_hsm(dir_.path()));
  auto st = store();
  server::Issuance issuance(*st, hsm, profile_, "test");
  auto first = blank_card(0xCAFE0001);
  HsmGoneAtFirstStoreData reader(*first, hsm);
  auto r = issuance.encode(ids[0], reader);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EncodeError::hsm_failure) << r.error().describe();
  EXPECT_FALSE(first->state().ssse.records.empty()) << "the card had taken data";
  auto cards = store()->cards_of(ids[0]);
  ASSERT_EQ(cards->size(), 1u);
  EXPECT_EQ((*cards)[0].state, db::CardState::spoiled);
  EXPECT_EQ((*cards)[0].reason, "hsm_failure");

  hsm.set_gone(false);
  auto second = blank_card(0xCAFE0002);
  vcard::InProcessReader again(*second);
  auto encoded = issuance.encode(ids[0], again);
  ASSERT_TRUE(encoded.ok()) << encoded.error().describe();
  cards = store()->cards_of(ids[0]);
  ASSERT_EQ(cards->size(), 2u);
  EXPECT_EQ((*cards)[1].state, db::CardState::encoded);
  EXPECT_EQ(state(ids[0]), db::AppState::encoded);
}

// The printer aborted the card's face: the card, written and locked, is
// terminated and spoiled, and the application made again on a new card.
TEST_F(IssuanceInProcess, ACardThePrinterGaveUpOnIsTerminatedAndSpoiled) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto card = blank_card(0xCAFE0001);
  ASSERT_TRUE(encode(ids[0], *card).ok());
  auto hsm = open_soft_hsm(dir_.path());
  auto st = store();
  ASSERT_TRUE(st->transition(ids[0], db::AppState::printing, "test", "").ok());
  server::Issuance issuance(*st, *hsm, profile_, "test");
  vcard::InProcessReader reader(*card);
  const Error aborted = make_error(printer::PrinterError::job_failed, "job 9 aborted");
  auto spoiled = issuance.spoil_unprinted(ids[0], reader, aborted);
  ASSERT_TRUE(spoiled.ok()) << spoiled.error().describe();
  EXPECT_EQ(card->state().life_cycle, vcard::LifeCycle::terminated);
  auto cards = store()->cards_of(ids[0]);
  ASSERT_EQ(cards->size(), 1u);
  EXPECT_EQ((*cards)[0].state, db::CardState::spoiled);
  EXPECT_EQ((*cards)[0].reason, "print_failed");
  EXPECT_EQ(state(ids[0]), db::AppState::queued);
  auto next = blank_card(0xCAFE0002);
  ASSERT_TRUE(encode(ids[0], *next).ok());
  EXPECT_EQ(state(ids[0]), db::AppState::encoded);
}

TEST_F(IssuanceInProcess, AnInterruptedSessionIsSpoiledBeforeTheNextCard) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  ASSERT_TRUE(prepare(ids[0]).ok());
  // The process died after claiming the chip, before writing it.
  ASSERT_TRUE(store()->claim_card(ids[0], "47905301CAFE0001", "test", "elsewhere/1/r", -1).ok());
  auto card = blank_card(0xCAFE0002);
  auto r = encode(ids[0], *card);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  auto cards = store()->cards_of(ids[0]);
  ASSERT_EQ(cards->size(), 2u);
  EXPECT_EQ((*cards)[0].reason, "interrupted");
  EXPECT_EQ((*cards)[1].state, db::CardState::encoded);
}

TEST_F(IssuanceInProcess, AnUnknownBankIsAPreparationErrorAndTheApplicationWaits) {
  const auto ids = import_applications(1);
  auto hsm = open_soft_hsm(dir_.path());
  auto st = store();
  const std::string bank = st->status(ids[0])->details->issuing_bank;
  std::erase_if(profile_.issuer.banks, [&](const auto& b) { return b.code == bank; });
  server::Issuance issuance(*st, *hsm, profile_, "test");
  auto prepared = issuance.prepare(ids[0]);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.error().code, personalization::PrepareError::unknown_bank);
  EXPECT_NE(prepared.error().message.find(bank), std::string::npos);
  EXPECT_EQ(st->status(ids[0])->state, db::AppState::queued);
  EXPECT_FALSE(st->prepared(ids[0], "test", "test")->has_value());
}

// The shipped variants of the Beijing layout: SM4 keys throughout, and 3DES
// (SCP02, PBOC application keys). Each is prepared, encoded, read back in
// the session, then read again as a reader with the reading key would.
class ProfileVariants
    : public IssuanceInProcess,
      public ::testing::WithParamInterface<std::pair<const char*, vcard::Cipher>> {};

TEST_P(ProfileVariants, PrepareEncodeAndReadBack) {
  const auto [file, cipher] = GetParam();
  use_profile(profile_text(region().chip_profile().parent_path() / file));
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1, {"王小明"});
  auto card = blank_card(0xCAFE0001, cipher);
  auto r = encode(ids[0], *card);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(card->state().keys.cipher, cipher);
  EXPECT_EQ(card->state().ssse.keys.size(), 6u);
  vcard::InProcessReader reader(*card);
  auto hsm = open_soft_hsm(dir_.path());
  auto contents = personalization::read_card(reader, profile_, hsm.get());
  ASSERT_TRUE(contents.ok()) << contents.error().describe();
  EXPECT_EQ(contents->items.at("holder.name"), "王小明");
  EXPECT_EQ(contents->items.at("card.number"), r->card_number);
  EXPECT_EQ(contents->life_cycle, "SECURED");
  EXPECT_EQ(contents->application_life_cycles.at("ssse"), "PERSONALIZED");
}

// GlobalPlatformPro's kdf3 card-key diversification, named in the profile:
// the card's keys come from the KMC and its whole 10-byte KDD.
TEST_F(IssuanceInProcess, Kdf3DiversificationEncodesACardDiversifiedThatWay) {
  std::string text = profile_text(region().chip_profile());
  const std::string ours = "master_key = \"bj3.kmc\"\ndiversification = \"sp800-108-cmac\"";
  ASSERT_NE(text.find(ours), std::string::npos);
  text.replace(text.find(ours), ours.size(),
               "master_key = \"bj3.kmc\"\ndiversification = \"kdf3\"");
  use_profile(text);
  EXPECT_EQ(profile_.secure_channel.diversification, personalization::Diversification::kdf3);
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(2);
  // A card diversified the other way does not open the channel: nothing written.
  auto other = blank_card(0xCAFE0001);
  auto refused = encode(ids[0], *other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, EncodeError::secure_channel) << refused.error().describe();
  auto card = blank_card(0xCAFE0002, vcard::Cipher::aes, vcard::Scp03Kdf::kdf3);
  auto r = encode(ids[1], *card);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(card->state().ssse.life_cycle, 0x0F);
}

INSTANTIATE_TEST_SUITE_P(Shipped, ProfileVariants,
                         ::testing::Values(std::pair{"chip-sm4.toml", vcard::Cipher::sm4},
                                           std::pair{"chip-3des.toml", vcard::Cipher::des3}),
                         [](const auto& variant) {
                           return std::string(
                               variant.param.second == vcard::Cipher::sm4 ? "Sm4" : "TripleDes");
                         });

}  // namespace
}  // namespace cardd::test
