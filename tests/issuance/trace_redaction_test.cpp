// The APDU trace at its most verbose, through a whole encoding and a read-back,
// holds no personal data of the holder in any form an eye or grep would find.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cardd/common/hex.h"
#include "cardd/personalization/card_data.h"
#include "cardd/personalization/card_reader.h"
#include "cardd/server/issuance.h"
#include "cardd/vcard/chip.h"
#include "cardd/vcard/virtual_card.h"
#include "issuance_fixture.h"

namespace cardd::test {
namespace {

// Sends everything logged at any level to a string while alive.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Every way a value could show up in a log: as text, and its bytes as hex in
// either case, packed or spaced.
std::vector<std::string> forms(std::string_view text, std::span<const std::uint8_t> bytes) {
  std::vector<std::string> out{std::string(text)};
  for (const auto letters : {HexCase::upper, HexCase::lower})
    for (const std::string_view separator : {"", " "})
      out.push_back(to_hex(bytes, letters, separator));
  return out;
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

class TraceRedaction : public IssuanceFixture {};

TEST_F(TraceRedaction, AnEncodingAndAReadBackLeaveNoPersonalDataInATraceLevelLog) {
  add_lot("L", "CAFE0000", 10);
  const auto ids = import_applications(1, {"王小明"});
  nlohmann::json application;
  {
    std::ifstream batch(dir_.path() / "batch.jsonl");
    std::string line;
    ASSERT_TRUE(std::getline(batch, line));
    application = nlohmann::json::parse(line);
  }
  const std::string id_number = application.at("id_number").get<std::string>();
  const std::string name = application.at("name").get<std::string>();
  const std::string mobile = application.at("mobile").get<std::string>();
  ASSERT_EQ(name, "王小明");
  const auto name_gb = personalization::to_gb18030(name);
  ASSERT_TRUE(name_gb.ok());

  vcard::CardState state;
  state.serial = {0xCA, 0xFE, 0x00, 0x01};
  state.keys = *vcard::diversified_keys(vcard::Cipher::aes, hex(kTestKmc), state.serial);
  vcard::VirtualCard card(std::move(state));

  std::string log;
  {
    CapturedLog captured;
    auto hsm = open_soft_hsm(dir_.path());
    auto st = store();
    server::Issuance issuance(*st, *hsm, profile_, "test");
    vcard::InProcessReader reader(card);
    auto encoded = issuance.encode(ids[0], reader);
    ASSERT_TRUE(encoded.ok()) << encoded.error().describe();
    auto contents = personalization::read_card(reader, profile_, hsm.get());
    ASSERT_TRUE(contents.ok()) << contents.error().describe();
    // The data did travel through the trace: the card gives them back.
    EXPECT_EQ(contents->items.at("holder.name"), name);
    EXPECT_EQ(contents->items.at("holder.ssn"), id_number);
    log = captured.text();
  }

  // The trace ran, and shows what an operator needs: headers and status words.
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.find("apdu "), std::string::npos) << log;
  EXPECT_NE(log.find("00B2"), std::string::npos) << "READ RECORD headers are kept:\n" << log;
  EXPECT_NE(log.find("bytes redacted] 9000"), std::string::npos) << log;

  std::vector<std::string> secrets;
  for (const auto& f : forms(id_number, bytes_of(id_number))) secrets.push_back(f);
  for (const auto& f : forms(mobile, bytes_of(mobile))) secrets.push_back(f);
  for (const auto& f : forms(name, bytes_of(name))) secrets.push_back(f);
  for (const auto& f : forms("", *name_gb)) secrets.push_back(f);
  // The ID number's digits without the check character, as a BCD or packed field might hold them.
  secrets.push_back(id_number.substr(0, 17));
  // The initial PIN (123456): as a clear ISO 9564 format 2 block, and as the
  // VERIFY a host would send with it (the session only asks for tries left).
  for (const auto& app : profile_.applications) {
    if (!app.pin) continue;
    ASSERT_EQ(app.pin->initial, "123456");
    for (const auto& f : forms("", std::vector<std::uint8_t>{0x26, 0x12, 0x34, 0x56, 0xFF, 0xFF}))
      secrets.push_back(f);
    for (const auto& f :
         forms("", std::vector<std::uint8_t>{0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56}))
      secrets.push_back(f);
  }
  const std::string log_lower = lower(log);
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    EXPECT_EQ(log.find(secret), std::string::npos) << "found " << secret;
    EXPECT_EQ(log_lower.find(lower(secret)), std::string::npos) << "found " << secret;
  }
}

}  // namespace
}  // namespace cardd::test
