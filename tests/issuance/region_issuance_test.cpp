// A second region added as data only (profiles/tianjin/): its applications
// are generated, imported, prepared, encoded on an SM4 card (SCP03 with SM4
// keys) and rendered with its own districts, banks, codes and texts.
#include <gtest/gtest.h>

#include <filesystem>

#include "cardd/personalization/card_reader.h"
#include "cardd/server/card_documents.h"
#include "cardd/server/issuance.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/virtual_card.h"
#include "issuance_fixture.h"

namespace cardd::test {
namespace {

class TianjinIssuance : public IssuanceFixture {
 protected:
  TianjinIssuance() : IssuanceFixture("tianjin") {}

  std::unique_ptr<vcard::VirtualCard> blank_sm4_card(std::uint32_t serial) {
    vcard::CardState state;
    state.serial = {static_cast<std::uint8_t>(serial >> 24),
                    static_cast<std::uint8_t>(serial >> 16), static_cast<std::uint8_t>(serial >> 8),
                    static_cast<std::uint8_t>(serial)};
    auto keys = vcard::diversified_keys(vcard::Cipher::sm4, hex(kTestKmc), state.serial);
    EXPECT_TRUE(keys.has_value());
    state.keys = *keys;
    return std::make_unique<vcard::VirtualCard>(std::move(state));
  }
};

TEST_F(TianjinIssuance, ImportKeepsTianjinApplicationsAndTheirDistricts) {
  const auto ids = import_applications(8);
  ASSERT_EQ(ids.size(), 8u);
  auto st = store();
  for (const auto& id : ids) {
    EXPECT_EQ(id.rfind("TJ-31-", 0), 0u) << id;
    const auto status = st->status(id);
    ASSERT_TRUE(status.ok()) << id;
    EXPECT_EQ(status->state, db::AppState::validated) << id;
    ASSERT_TRUE(status->details.has_value()) << id;
    EXPECT_NE(region().rules.district(status->details->residence_district), nullptr);
    EXPECT_NE(region().bank(status->details->issuing_bank), nullptr);
  }
}

TEST_F(TianjinIssuance, PreparesWithTheRegionsCodesAndBins) {
  const auto ids = import_applications(3);
  auto hsm = open_soft_hsm(dir_.path());
  auto st = store();
  server::Issuance issuance(*st, *hsm, profile_, "test");
  for (const auto& id : ids) {
    auto card = issuance.prepare(id);
    ASSERT_TRUE(card.ok()) << card.error().describe();
    EXPECT_EQ(card->card_number.front(), 'T') << card->card_number;
    const auto* bank = region().bank(st->status(id)->details->issuing_bank);
    ASSERT_NE(bank, nullptr);
    EXPECT_EQ(card->pan.rfind(bank->bin, 0), 0u) << card->pan;
    EXPECT_EQ(card->items.at("card.issuer_org"),
              (card::Bytes{0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}));
  }
}

TEST_F(TianjinIssuance, EncodesAnSm4CardInProcess) {
  ASSERT_EQ(profile_.secure_channel.algorithm, hsm::Algorithm::sm4);
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1, {"李娜"});
  auto card = blank_sm4_card(0xCAFE0001);
  auto hsm = open_soft_hsm(dir_.path());
  auto st = store();
  server::Issuance issuance(*st, *hsm, profile_, "test");
  vcard::InProcessReader reader(*card);
  auto r = issuance.encode(ids[0], reader);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(card->state().life_cycle, vcard::LifeCycle::secured);
  EXPECT_EQ(st->status(ids[0])->state, db::AppState::encoded);
  auto contents = personalization::read_card(reader, profile_, hsm.get());
  ASSERT_TRUE(contents.ok()) << contents.error().describe();
  EXPECT_EQ(contents->items.at("holder.name"), "李娜");
  EXPECT_EQ(contents->life_cycle, "SECURED");
  EXPECT_EQ(contents->application_life_cycles.at("ssse"), "PERSONALIZED");
  // Tianjin's region code, then the RID; the chip after it.
  EXPECT_EQ(contents->items.at("card.identification_code").substr(0, 16), "120000D156000005");
  EXPECT_EQ(r->card_identification_code, contents->items.at("card.identification_code"));
}

TEST_F(TianjinIssuance, AnAesCardIsNotATianjinCard) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  vcard::CardState state;
  state.serial = {0xCA, 0xFE, 0x00, 0x02};
  state.keys = *vcard::diversified_keys(vcard::Cipher::aes, hex(kTestKmc), state.serial);
  vcard::VirtualCard card(std::move(state));
  auto hsm = open_soft_hsm(dir_.path());
  auto st = store();
  server::Issuance issuance(*st, *hsm, profile_, "test");
  vcard::InProcessReader reader(card);
  EXPECT_FALSE(issuance.encode(ids[0], reader).ok());
  EXPECT_NE(card.state().life_cycle, vcard::LifeCycle::secured);
}

TEST_F(TianjinIssuance, DocumentsUseTheRegionsBanksTextsAndCourier) {
  const auto ids = import_applications(12);
  auto st = store();
  bool saw_branch = false, saw_mail = false;
  for (const auto& id : ids) {
    auto d = server::card_documents(*st, *st, id, region(), "test", unix_now());
    ASSERT_TRUE(d.ok()) << d.error().describe();
    const std::string bank = region().bank_name(st->status(id)->details->issuing_bank);
    EXPECT_TRUE(bank == "天津银行" || bank == "渤海银行" || bank == "中国工商银行") << bank;
    EXPECT_EQ(d->face.bank_name, bank);
    EXPECT_EQ(d->face.service_hotline, "12333");
    EXPECT_EQ(d->letter.title, "天津市社会保障卡（第三代）发卡通知函");
    EXPECT_EQ(d->letter.courier, "顺丰速运");
    EXPECT_EQ(d->label.sender, bank + " 天津市社会保障卡服务中心");
    if (d->letter.mail) {
      saw_mail = true;
      EXPECT_EQ(d->letter.postal_code.substr(0, 2), "30");
    } else {
      saw_branch = true;
      EXPECT_EQ(d->label.address, "网点领卡 · 持卡人 " + d->face.name);
    }
  }
  EXPECT_TRUE(saw_mail);
  EXPECT_TRUE(saw_branch) << "Tianjin website applicants collect at branches too";
}

TEST_F(TianjinIssuance, RendersWithTheTianjinFace) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1);
  auto card = blank_sm4_card(0xCAFE0001);
  {
    auto hsm = open_soft_hsm(dir_.path());
    auto st = store();
    server::Issuance issuance(*st, *hsm, profile_, "test");
    vcard::InProcessReader reader(*card);
    ASSERT_TRUE(issuance.encode(ids[0], reader).ok());
  }
  const auto out = dir_.path() / "render";
  auto r = cardctl(with_hsm(
      {"render", ids[0], "--db", db_path(), "--out", out.string(), "--region", "tianjin"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* f : {"front.png", "back.png", "carrier.pdf", "label.pdf"})
    EXPECT_GT(std::filesystem::file_size(out / f), 1000u) << f;
  EXPECT_EQ(r.out.find("PLACEHOLDER (the application is not prepared)"), std::string::npos);
  // The same application with Beijing's face: its front differs (other texts).
  const auto bj = dir_.path() / "render-bj";
  auto other = cardctl(
      with_hsm({"render", ids[0], "--db", db_path(), "--out", bj.string(), "--region", "beijing"}));
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(std::filesystem::file_size(out / "front.png"),
            std::filesystem::file_size(bj / "front.png"));
}

}  // namespace
}  // namespace cardd::test
