// The virtual card through real pcscd + vpcd, with our PC/SC reader and with
// an independent client (opensc-tool).
#include <atomic>
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
  auto h = card_key_hsm();
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

#include <thread>

namespace cardd::test {
namespace {

// One worker per slot, both slots at once, sharing one HSM.
TEST_F(PcscCard, TwoSlotsWorkConcurrently) {
  auto second =
      ChildProcess::start({bin_path("vcard"), "--port", "35964", "--state",
                           (dir_.path() / "card2.json").string(), "--serial", "CAFE0002"});
  ASSERT_EQ(second.read_line(std::chrono::seconds(15)).value_or(""),
            "vcard: inserted in 127.0.0.1:35964");
  auto other = personalization::open_pcsc_reader("Virtual PCD 00 01");
  ASSERT_TRUE(other.ok()) << other.error().describe();
  ASSERT_TRUE((*other)->wait_for_card(std::chrono::seconds(10)).ok());

  auto h = card_key_hsm();
  std::atomic<int> failures{0};
  auto worker = [&](personalization::Reader& reader, std::uint8_t tag) {
    for (int round = 0; round < 10; ++round) {
      if (!reader.connect().ok() ||
          !reader.transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u}).ok()) {
        ++failures;
        return;
      }
      const personalization::Bytes challenge(8, static_cast<std::uint8_t>(round));
      auto iu = personalization::transmit_all(
          reader, personalization::Scp03Session::initialize_update(0x30, challenge));
      if (!iu || !iu->sw.ok()) {
        ++failures;
        return;
      }
      auto session =
          personalization::Scp03Session::open(*h, {"enc", "mac"}, challenge, iu->data, 0x13);
      if (!session) {
        ++failures;
        return;
      }
      (void)reader.transmit(*session->external_authenticate());
      auto store =
          session->wrap(CommandApdu{0x80,
                                    0xE2,
                                    0x80,
                                    0x00,
                                    {0x01, 0x01, 0x02, tag, static_cast<std::uint8_t>(round)},
                                    std::nullopt});
      auto sent = reader.transmit(*store);
      if (!sent) {
        ++failures;
        return;
      }
      auto answer = session->unwrap(*sent);
      if (!answer || !answer->sw.ok()) ++failures;
    }
  };
  {
    std::jthread a(worker, std::ref(*reader_), std::uint8_t{0xA1});
    std::jthread b(worker, std::ref(**other), std::uint8_t{0xB2});
  }
  EXPECT_EQ(failures.load(), 0);
  other->reset();
  second.terminate();
  auto text = [&](const char* file) {
    std::ifstream in(dir_.path() / file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_NE(text("card.json").find("\"0101\": \"A109\""), std::string::npos);
  EXPECT_NE(text("card2.json").find("\"0101\": \"B209\""), std::string::npos);
}

}  // namespace
}  // namespace cardd::test
