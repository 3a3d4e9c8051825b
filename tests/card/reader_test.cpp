// T=0 handling over the Reader interface, with a scripted test double below
// the interface (the real PC/SC and virtual-card readers come with vcard).
#include "cardd/card/reader.h"

#include <gtest/gtest.h>

#include <deque>

namespace cardd::card {
namespace {

class ScriptedReader final : public Reader {
 public:
  std::deque<Result<ResponseApdu>> answers;
  std::vector<CommandApdu> seen;

  std::string name() const override { return "scripted"; }
  Result<Bytes> connect() override { return Bytes{0x3B, 0x00}; }
  Status disconnect() override { return {}; }
  Result<ResponseApdu> transmit(const CommandApdu& command) override {
    seen.push_back(command);
    if (answers.empty()) return make_error(ReaderError::mute_card, "no scripted answer left");
    auto next = std::move(answers.front());
    answers.pop_front();
    return next;
  }
  Status wait_for_card(std::chrono::milliseconds) override { return {}; }
  Status wait_for_removal(std::chrono::milliseconds) override { return {}; }
};

TEST(TransmitAll, FollowsGetResponseChains) {
  ScriptedReader r;
  r.answers.push_back(ResponseApdu{{0x01, 0x02}, StatusWord(0x6103)});
  r.answers.push_back(ResponseApdu{{0x03, 0x04, 0x05}, StatusWord(0x6101)});
  r.answers.push_back(ResponseApdu{{0x06}, sw::kSuccess});
  auto out = transmit_all(r, CommandApdu{0x00, 0xB2, 0x01, 0x0C, {}, 256u});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->data, (Bytes{1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(out->sw.ok());
  ASSERT_EQ(r.seen.size(), 3u);
  EXPECT_EQ(r.seen[1].ins, 0xC0);
  EXPECT_EQ(r.seen[1].le, 3u);
}

TEST(TransmitAll, ResendsWithTheLeTheCardAsksFor) {
  ScriptedReader r;
  r.answers.push_back(ResponseApdu{{}, StatusWord(0x6C10)});
  r.answers.push_back(ResponseApdu{Bytes(16, 0xAA), sw::kSuccess});
  auto out = transmit_all(r, CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 256u});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->data.size(), 16u);
  EXPECT_EQ(r.seen[1].le, 16u);
  EXPECT_EQ(r.seen[1].ins, 0xB0);
}

TEST(TransmitAll, StopsAnEndlessChainAndPassesReaderErrorsOn) {
  ScriptedReader r;
  for (int i = 0; i < 100; ++i) r.answers.push_back(ResponseApdu{{0x00}, StatusWord(0x6101)});
  auto out = transmit_all(r, CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 256u});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ReaderError::protocol);
  ScriptedReader mute;
  EXPECT_EQ(transmit_all(mute, CommandApdu{}).error().code, ReaderError::mute_card);
}

}  // namespace
}  // namespace cardd::card

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace cardd::card {
namespace {

TEST(TransmitAll, TracesApdusAndRedactsKeyBearingData) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
  ScriptedReader r;
  r.answers.push_back(ResponseApdu{{0x6F, 0x00}, sw::kSuccess});
  r.answers.push_back(ResponseApdu{{}, sw::kSuccess});
  (void)transmit_all(r, CommandApdu{0x00, 0xA4, 0x04, 0x00, {0xA0, 0x00, 0x00, 0x01, 0x51}, 256u});
  (void)transmit_all(
      r, CommandApdu{0x84, 0xE2, 0x80, 0x00, {0xDE, 0xAD, 0xBE, 0xEF, 0x13, 0x37}, std::nullopt});
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  EXPECT_NE(log.find("00A40400 A000000151 -> 6F00 9000"), std::string::npos) << log;
  EXPECT_NE(log.find("84E28000 [6 bytes redacted]"), std::string::npos) << log;
  EXPECT_EQ(log.find("DEADBEEF"), std::string::npos) << log;
}

TEST(TransmitAll, TraceShowsOnlyLengthsAndStatusWordsForPersonalData) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  const Bytes id{'1', '1', '0', '1', '0', '5', '1', '9', '4', '9'};
  ScriptedReader r;
  r.answers.push_back(ResponseApdu{id, StatusWord(0x6103)});  // READ RECORD, then GET RESPONSE
  r.answers.push_back(ResponseApdu{{0x31, 0x32, 0x33}, sw::kSuccess});
  r.answers.push_back(ResponseApdu{id, sw::kSuccess});  // READ BINARY
  r.answers.push_back(ResponseApdu{{}, sw::kSuccess});  // UPDATE RECORD, plain
  r.answers.push_back(ResponseApdu{id, sw::kSuccess});  // a wrapped SELECT
  r.answers.push_back(ResponseApdu{{0x9F, 0x7F, 0x01, 0x47}, sw::kSuccess});  // CPLC
  (void)transmit_all(r, CommandApdu{0x00, 0xB2, 0x01, 0x0C, {}, 256u});
  (void)transmit_all(r, CommandApdu{0x00, 0xB0, 0x88, 0x00, {}, 256u});
  (void)transmit_all(r, CommandApdu{0x00, 0xDC, 0x01, 0x0C, id, std::nullopt});
  (void)transmit_all(r, CommandApdu{0x0C, 0xA4, 0x04, 0x00, id, 256u});
  (void)transmit_all(r, CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u});
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  EXPECT_NE(log.find("00B2010C -> [10 bytes redacted] 6103"), std::string::npos) << log;
  EXPECT_NE(log.find("00B08800 -> [10 bytes redacted] 9000"), std::string::npos) << log;
  EXPECT_NE(log.find("00DC010C [10 bytes redacted] -> 9000"), std::string::npos) << log;
  EXPECT_NE(log.find("0CA40400 [10 bytes redacted] -> [10 bytes redacted] 9000"), std::string::npos)
      << log;
  EXPECT_NE(log.find("80CA9F7F -> 9F7F0147 9000"), std::string::npos) << log;
  EXPECT_EQ(log.find("31313031"), std::string::npos) << log;
  EXPECT_EQ(log.find("1101051949"), std::string::npos) << log;
  EXPECT_EQ(log.find("313233"), std::string::npos) << "GET RESPONSE data stays out: " << log;
}

}  // namespace
}  // namespace cardd::card
