// The issue's acceptance for personal data at rest: after import, encode and
// print, neither the database file nor its WAL holds any ID number, phone
// number, name (UTF-8 or GB 18030), address or photo of the run in the clear.
// And the issue date: a card prepared on one day and printed on another
// shows the day of preparation on the chip and on the face.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cardd/personalization/card_data.h"
#include "cardd/personalization/card_reader.h"
#include "cardd/printer/face_renderer.h"
#include "cardd/printer/face_template.h"
#include "cardd/printer/print_retry.h"
#include "cardd/printer/printer.h"
#include "cardd/server/card_documents.h"
#include "cardd/server/issuance.h"
#include "cardd/server/print_station.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/virtual_card.h"
#include "issuance_fixture.h"
#include "personal_data_needles.h"

namespace cardd::test {
namespace {

namespace fs = std::filesystem;

UnixSeconds at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

class AtRest : public IssuanceFixture {
 protected:
  std::unique_ptr<vcard::VirtualCard> blank_card(std::uint32_t serial) {
    vcard::CardState state;
    state.serial = {static_cast<std::uint8_t>(serial >> 24),
                    static_cast<std::uint8_t>(serial >> 16), static_cast<std::uint8_t>(serial >> 8),
                    static_cast<std::uint8_t>(serial)};
    state.keys = *vcard::diversified_keys(vcard::Cipher::aes, hex(kTestKmc), state.serial);
    return std::make_unique<vcard::VirtualCard>(std::move(state));
  }

  // The batch the fixture imported, as the bureau sent it.
  std::vector<nlohmann::json> batch() const {
    std::ifstream in(dir_.path() / "batch.jsonl");
    std::vector<nlohmann::json> out;
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  Result<server::PrintResult> print(db::Store& st, const std::string& id, server::Clock clock) {
    auto tpl = printer::load_face_template(region().face_template().string());
    EXPECT_TRUE(tpl.ok());
    auto faces = printer::FaceRenderer::create(std::move(*tpl));
    EXPECT_TRUE(faces.ok());
    fs::create_directories(dir_.path() / "printed");
    auto printer = printer::open_printer("dir://" + (dir_.path() / "printed").string());
    EXPECT_TRUE(printer.ok()) << printer.error().describe();
    server::PrintStation station(st, **printer, *faces, region(), printer::RetryPolicy{}, "test",
                                 std::move(clock));
    return station.print(id);
  }
};

TEST_F(AtRest, ImportEncodePrintLeavesNoPersonalDataInTheDatabaseOrItsWal) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(3, {"阿依古丽·买买提", "王小明", "欧阳娜娜"});
  auto hsm = open_soft_hsm(dir_.path());
  auto st = store();
  server::Issuance issuance(*st, *hsm, profile_, "test");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto card = blank_card(0xCAFE0001 + static_cast<std::uint32_t>(i));
    vcard::InProcessReader reader(*card);
    auto encoded = issuance.encode(ids[i], reader);
    ASSERT_TRUE(encoded.ok()) << encoded.error().describe();
    auto printed = print(*st, ids[i], server::system_clock());
    ASSERT_TRUE(printed.ok()) << printed.error().describe();
    EXPECT_EQ(st->status(ids[i])->state, db::AppState::printed);
  }

  std::vector<Needle> secrets;
  for (const auto& app : batch()) {
    const auto of_app = personal_data_of(app);
    secrets.insert(secrets.end(), of_app.begin(), of_app.end());
  }
  for (const auto& prepared : ids) {
    auto record = st->prepared(prepared, "test", "find the PAN to look for");
    ASSERT_TRUE(record.ok() && record->has_value());
    secrets.push_back({"PAN", (*record)->pan});
  }

  // With the store still open the WAL holds the latest pages; closed, they
  // are checkpointed into the file.
  const auto check = [&](const char* when) {
    const std::string db = file_bytes(db_path());
    const std::string wal = file_bytes(db_path() + "-wal");
    ASSERT_GT(db.size() + wal.size(), 100'000u) << when << ": the run's data is there";
    EXPECT_EQ(found_in("the database file", db, secrets), "") << when;
    EXPECT_EQ(found_in("the WAL", wal, secrets), "") << when;
  };
  check("while open");
  const bool had_wal = fs::exists(db_path() + "-wal") && fs::file_size(db_path() + "-wal") > 0;
  EXPECT_TRUE(had_wal) << "the WAL was looked at";
  st.reset();
  check("after closing");
}

TEST_F(AtRest, ACardPreparedOnOneDayAndPrintedOnAnotherShowsThePreparationDay) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto hsm = open_soft_hsm(dir_.path());
  auto st = store();
  // Prepared and encoded on 31 January (Beijing), printed on 1 March.
  const UnixSeconds prepared_at = at("2026-01-31T23:30:00+08:00");
  const UnixSeconds printed_at = at("2026-03-01T09:00:00+08:00");
  server::Issuance issuance(*st, *hsm, profile_, "test", [&] { return prepared_at; });
  auto card = blank_card(0xCAFE0001);
  vcard::InProcessReader reader(*card);
  ASSERT_TRUE(issuance.encode(ids[0], reader).ok());

  auto chip = personalization::read_card(reader, profile_, hsm.get());
  ASSERT_TRUE(chip.ok()) << chip.error().describe();
  EXPECT_EQ(chip->items.at("card.issue_date"), "20260131");
  auto record = st->prepared(ids[0], "test", "test");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->issue_date, (CivilDate{2026, 1, 31}));

  auto documents = server::card_documents(*st, *st, ids[0], region(), "test", printed_at);
  ASSERT_TRUE(documents.ok()) << documents.error().describe();
  EXPECT_EQ(documents->face.issue_year, 2026);
  EXPECT_EQ(documents->face.issue_month, 1) << "the face shows the chip's issue date";
  EXPECT_EQ(documents->face.card_number, chip->items.at("card.number"));
  EXPECT_EQ(documents->face.name, chip->items.at("holder.name"));
  EXPECT_EQ(documents->face.social_security_number, chip->items.at("holder.ssn"));
  auto printed = print(*st, ids[0], [&] { return printed_at; });
  ASSERT_TRUE(printed.ok()) << printed.error().describe();
  EXPECT_EQ(st->status(ids[0])->state, db::AppState::printed);
}

}  // namespace
}  // namespace cardd::test
