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

}  // namespace
}  // namespace cardd::card
