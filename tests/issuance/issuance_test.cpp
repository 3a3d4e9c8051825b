// The Issuance service with the virtual card in-process (no pcscd): the
// records that go with a session (claim, spoil, re-queue, interrupted
// sessions), preparation errors, and the 3DES/SCP02 and SM4 profiles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "cardd/personalization/card_reader.h"
#include "cardd/server/issuance.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/virtual_card.h"
#include "in_process_card.h"
#include "issuance_fixture.h"
#include "softhsm_token.h"

namespace cardd::test {
namespace {

using personalization::EncodeError;

std::string profile_text(const region::Region& region) {
  std::ifstream in(region.chip_profile());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
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
  EXPECT_EQ(card->state().ssse.keys.size(), 5u);
  ASSERT_TRUE(card->state().ssse.pin.has_value());
  EXPECT_EQ(card->state().ssse.pin->digits, (vcard::Bytes{1, 2, 3, 4, 5, 6}));
  vcard::InProcessReader reader(*card);
  auto contents = personalization::read_card(reader, profile_);
  ASSERT_TRUE(contents.ok()) << contents.error().describe();
  EXPECT_EQ(contents->items.at("holder.name"), "王小明");
  EXPECT_EQ(contents->items.at("card.number"), r->card_number);
  EXPECT_EQ(contents->items.at("card.identification_code"), r->card_identification_code);
  EXPECT_EQ(contents->life_cycle, "SECURED");
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

TEST_F(IssuanceInProcess, Scp02TripleDesProfileEncodes) {
  std::string text = profile_text(region());
  text = replace_all(text, "protocol = \"scp03\"", "protocol = \"scp02\"");
  text = replace_all(text, "option = 0x70", "option = 0x55");
  text = replace_all(text, "algorithm = \"aes128\"", "algorithm = \"3des-2key\"");
  text = replace_all(text, "key_version = 0x30", "key_version = 0x20");
  text = replace_all(text, "security_level = 0x33", "security_level = 0x03");
  text = replace_all(text, "diversification = \"sp800-108-cmac\"\n\n# ---",
                     "diversification = \"emv-cpg\"\n\n# ---");
  text = replace_all(text, "diversification = \"sp800-108-cmac\"", "diversification = \"pboc\"");
  text = replace_all(text, "master_key = \"bj3.kmc\"\ndiversification = \"pboc\"",
                     "master_key = \"bj3.kmc\"\ndiversification = \"emv-cpg\"");
  use_profile(text);
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto card = blank_card(0xCAFE0001, vcard::Cipher::des3);
  auto r = encode(ids[0], *card);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(card->state().life_cycle, vcard::LifeCycle::secured);
  EXPECT_EQ(card->state().ssse.keys.size(), 5u);
}

TEST_F(IssuanceInProcess, Sm4ProfileEncodes) {
  use_profile(replace_all(profile_text(region()), "algorithm = \"aes128\"", "algorithm = \"sm4\""));
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto card = blank_card(0xCAFE0001, vcard::Cipher::sm4);
  auto r = encode(ids[0], *card);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(card->state().life_cycle, vcard::LifeCycle::secured);
}

}  // namespace
}  // namespace cardd::test
