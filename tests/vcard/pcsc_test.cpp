// The virtual card through real pcscd + vpcd, with our PC/SC reader and with
// an independent client (opensc-tool).
#include <fmt/format.h>

#include <atomic>
#include <fstream>

#include "cardd/hsm/factory.h"
#include "cardd/personalization/scp03.h"
#include "cardd/vcard/state_file.h"
#include "cardd/vcard/virtual_card.h"
#include "pcsc_fixture.h"

namespace cardd::test {
namespace {

using card::CommandApdu;
const card::Bytes kIsd = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

using PcscCard = PcscFixture;

TEST_F(PcscCard, SelectAndCplcOverPcsc) {
  auto atr = reader_->connect();
  ASSERT_TRUE(atr.ok()) << atr.error().describe();
  EXPECT_EQ(atr->front(), 0x3B);
  auto select = card::transmit_all(*reader_, CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u});
  ASSERT_TRUE(select.ok()) << select.error().describe();
  EXPECT_TRUE(select->sw.ok());
  auto cplc = card::transmit_all(*reader_, CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
  ASSERT_TRUE(cplc.ok());
  ASSERT_EQ(cplc->data.size(), 45u);
  EXPECT_EQ(card::Bytes(cplc->data.begin() + 15, cplc->data.begin() + 19),
            (card::Bytes{0xCA, 0xFE, 0x00, 0x01}));
}

TEST_F(PcscCard, SecureChannelOverPcscAndStatePersistsAcrossReinsertion) {
  auto h = card_key_hsm();
  ASSERT_TRUE(reader_->connect().ok());
  ASSERT_TRUE(reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u})->sw.ok());
  const card::Bytes challenge = {9, 8, 7, 6, 5, 4, 3, 2};
  auto iu = card::transmit_all(*reader_,
                               personalization::Scp03Session::initialize_update(0x30, challenge));
  ASSERT_TRUE(iu.ok() && iu->sw.ok());
  auto session = personalization::Scp03Session::open(*h, {"enc", "mac"}, challenge, iu->data, 0x33);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  ASSERT_TRUE(reader_->transmit(*session->external_authenticate())->sw.ok());
  auto store = session->wrap(
      CommandApdu{0x80, 0xE2, 0x80, 0x00, {0x05, 0x01, 0x02, 0xAB, 0xCD}, std::nullopt});
  auto answer = session->unwrap(*reader_->transmit(*store));
  ASSERT_TRUE(answer.ok() && answer->sw.ok());

  // Pull the card (the process ends), then insert it again: the data stayed.
  insert_card();
  EXPECT_EQ(card_state().ssse.records[5][1], (card::Bytes{0xAB, 0xCD}));
  ASSERT_TRUE(reader_->connect().ok());
  ASSERT_TRUE(
      reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, vcard::social_security_aid(), 256u})
          ->sw.ok());
  const auto record = reader_->transmit(CommandApdu{0x00, 0xB2, 0x01, 0x2C, {}, 256u});
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->data, (card::Bytes{0xAB, 0xCD}));
}

TEST_F(PcscCard, APulledCardIsAClearError) {
  ASSERT_TRUE(reader_->connect().ok());
  vcard_->terminate();
  ASSERT_TRUE(reader_->wait_for_removal(std::chrono::seconds(10)).ok());
  auto r = reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().code == card::ReaderError::card_removed ||
              r.error().code == card::ReaderError::no_card ||
              r.error().code == card::ReaderError::reader_lost)
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
  auto other = card::open_pcsc_reader("Virtual PCD 00 01");
  ASSERT_TRUE(other.ok()) << other.error().describe();
  ASSERT_TRUE((*other)->wait_for_card(std::chrono::seconds(10)).ok());

  auto h = card_key_hsm();
  std::atomic<int> failures{0};
  auto worker = [&](card::Reader& reader, std::uint8_t tag) {
    for (int round = 0; round < 10; ++round) {
      if (!reader.connect().ok() ||
          !reader.transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u}).ok()) {
        ++failures;
        return;
      }
      const card::Bytes challenge(8, static_cast<std::uint8_t>(round));
      auto iu = card::transmit_all(
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
                                    {0x05, 0x01, 0x02, tag, static_cast<std::uint8_t>(round)},
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
  EXPECT_EQ(card_state("card.json").ssse.records[5][1], (card::Bytes{0xA1, 0x09}));
  EXPECT_EQ(card_state("card2.json").ssse.records[5][1], (card::Bytes{0xB2, 0x09}));
}

}  // namespace
}  // namespace cardd::test

namespace cardd::test {
namespace {

std::string spaced_hex(const card::Bytes& bytes) {
  return cardd::to_hex(bytes, HexCase::upper, " ");
}

// Personalized through our reader and secure channel, read back by opensc:
// the card is a card to any PC/SC client, not only to cardd.
TEST_F(PcscCard, AnIndependentClientReadsAPersonalizedCard) {
  auto h = card_key_hsm();
  ASSERT_TRUE(reader_->connect().ok());
  ASSERT_TRUE(reader_->transmit(CommandApdu{0x00, 0xA4, 0x04, 0x00, kIsd, 256u})->sw.ok());
  const card::Bytes challenge = {3, 1, 4, 1, 5, 9, 2, 6};
  auto iu = card::transmit_all(*reader_,
                               personalization::Scp03Session::initialize_update(0x30, challenge));
  ASSERT_TRUE(iu.ok() && iu->sw.ok());
  auto session = personalization::Scp03Session::open(*h, {"enc", "mac"}, challenge, iu->data, 0x33);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  ASSERT_TRUE(reader_->transmit(*session->external_authenticate())->sw.ok());
  const card::Bytes record = {0x01, 0x05, 0x31, 0x35, 0x36, 0x30, 0x30};
  const card::Bytes photo = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9};
  card::Bytes dgis = {0x05, 0x01, static_cast<std::uint8_t>(record.size())};
  dgis.insert(dgis.end(), record.begin(), record.end());
  dgis.insert(dgis.end(), {0x08, 0x00, static_cast<std::uint8_t>(photo.size())});
  dgis.insert(dgis.end(), photo.begin(), photo.end());
  for (const CommandApdu& c : {CommandApdu{0x80, 0xE2, 0x80, 0x00, dgis, std::nullopt},
                               CommandApdu{0x80, 0xF0, 0x80, 0x0F, {}, std::nullopt}}) {
    auto answer = session->unwrap(*reader_->transmit(*session->wrap(c)));
    ASSERT_TRUE(answer.ok() && answer->sw.ok());
  }
  ASSERT_TRUE(reader_->disconnect().ok());

  const auto& aid = vcard::social_security_aid();
  const auto r = run_command({"opensc-tool", "-r", "0", "-s",
                              fmt::format("00 A4 04 00 {:02X} {}", aid.size(), spaced_hex(aid)),
                              "-s", "00 B2 01 2C 00", "-s", "00 B0 88 00 00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("SW1=0x6"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(spaced_hex(record)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(spaced_hex(photo)), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cardd::test
