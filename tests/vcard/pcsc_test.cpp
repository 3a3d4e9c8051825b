// The virtual card through real pcscd + vpcd, with our PC/SC reader and with
// an independent client (opensc-tool).
#include <fstream>

#include "cardd/hsm/factory.h"
#include "cardd/personalization/scp03.h"
#include "pcsc_fixture.h"

namespace cardd::test {
namespace {

using personalization::CommandApdu;
const personalization::Bytes kIsd = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

using PcscCard = PcscFixture;

TEST_F(PcscCard, SelectAndCplcOverPcsc) {
  auto atr = reader_->connect();
  ASSERT_TRUE(atr.ok()) << atr.error().describe();
  EXPECT_EQ(atr->front(), 0x3B);
  auto select =
      personalization::transmit_all(*reader_, CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u});
  ASSERT_TRUE(select.ok()) << select.error().describe();
  EXPECT_TRUE(select->sw.ok());
  auto cplc =
      personalization::transmit_all(*reader_, CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
  ASSERT_TRUE(cplc.ok());
  ASSERT_EQ(cplc->data.size(), 45u);
  EXPECT_EQ(personalization::Bytes(cplc->data.begin() + 15, cplc->data.begin() + 19),
            (personalization::Bytes{0xCA, 0xFE, 0x00, 0x01}));
}

TEST_F(PcscCard, SecureChannelOverPcscAndStatePersistsAcrossReinsertion) {
  std::ofstream(dir_.path() / "secret") << "pcsc test\n";
  hsm::HsmConfig c;
  c.soft.keystore_path = (dir_.path() / "keys.cks").string();
  c.soft.passphrase_file = (dir_.path() / "secret").string();
  auto h = std::move(*hsm::open_hsm(c));
  for (const char* name : {"enc", "mac"}) {
    std::vector<hsm::SecureBytes> parts;
    parts.push_back(
        *hsm::parse_key_hex(hsm::Algorithm::aes128, "00000000000000000000000000000001"));
    parts.push_back(
        *hsm::parse_key_hex(hsm::Algorithm::aes128, "404142434445464748494A4B4C4D4E4E"));
    ASSERT_TRUE(h->import_components(
                     hsm::KeySpec{name, hsm::Algorithm::aes128, {hsm::Usage::derive}, 1}, parts)
                    .ok());
  }
  ASSERT_TRUE(reader_->connect().ok());
  ASSERT_TRUE(reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u})->sw.ok());
  const personalization::Bytes challenge = {9, 8, 7, 6, 5, 4, 3, 2};
  auto iu = personalization::transmit_all(
      *reader_, personalization::Scp03Session::initialize_update(0x30, challenge));
  ASSERT_TRUE(iu.ok() && iu->sw.ok());
  auto session = personalization::Scp03Session::open(*h, {"enc", "mac"}, challenge, iu->data, 0x33);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  ASSERT_TRUE(reader_->transmit(*session->external_authenticate())->sw.ok());
  auto store = session->wrap(
      CommandApdu{0x80, 0xE2, 0x80, 0x00, {0x01, 0x01, 0x02, 0xAB, 0xCD}, std::nullopt});
  auto answer = session->unwrap(*reader_->transmit(*store));
  ASSERT_TRUE(answer.ok() && answer->sw.ok());

  // Pull the card (the process ends), then insert it again: the data stayed.
  insert_card();
  const std::string state = [&] {
    std::ifstream in(dir_.path() / "card.json");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  EXPECT_NE(state.find("\"0101\": \"ABCD\""), std::string::npos) << state;
}

TEST_F(PcscCard, APulledCardIsAClearError) {
  ASSERT_TRUE(reader_->connect().ok());
  vcard_->terminate();
  ASSERT_TRUE(reader_->wait_for_removal(std::chrono::seconds(10)).ok());
  auto r = reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().code == personalization::ReaderError::card_removed ||
              r.error().code == personalization::ReaderError::no_card ||
              r.error().code == personalization::ReaderError::reader_lost)
      << r.error().describe();
  vcard_.reset();
}

TEST_F(PcscCard, AnIndependentClientReadsTheCard) {
  const auto r = run_command({"opensc-tool", "-r", "0", "-s",
                              "00 A4 04 00 08 A0 00 00 01 51 00 00 00", "-s", "80 CA 9F 7F 00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SW1=0x90, SW2=0x00"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("9F 7F 2A"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FE 00 01"), std::string::npos)
      << "serial CAFE0001 (wraps after CA): " << r.out;
}

}  // namespace
}  // namespace cardd::test
