// A personalized card read as a hospital's reader reads it, with nothing of
// cardd's: opensc-explorer sends raw APDUs through pcscd in one card
// session; the terminal's reading key is derived here, with plain OpenSSL,
// from a master key value this test loaded into the HSM, and so is the
// EXTERNAL AUTHENTICATE cryptogram. Every EF05/EF06 item is decoded here and
// compared with the application; without the key the holder's file stays shut.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <iconv.h>

#include <chrono>
#include <memory>

#include "cardd/common/hex.h"
#include "cardd/personalization/card_profile.h"
#include "pcsc_encode_fixture.h"
#include "reference_crypto.h"

namespace cardd::test {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes kReadingMaster = from_hex("8C72C72CF908411653018807950D82FB").value();
const Bytes kSsseAid = from_hex("7378312E73682EC9E7BBE1B1A3D5CF").value();

// The card's reading key: the SCP03-layout KDF, constant = the key
// reference (0A), 128 bits, context the card number.
Bytes reading_key(const std::string& card_number) {
  return reference::scp03_kdf(kReadingMaster, 0x0A, 128,
                              Bytes(card_number.begin(), card_number.end()));
}

std::string bcd(const Bytes& b) {
  std::string out;
  for (const std::uint8_t x : b)
    for (const int nibble : {x >> 4, x & 0x0F})
      if (nibble != 0x0F) out.push_back(static_cast<char>('0' + nibble));
  return out;
}

std::string from_gb18030(Bytes b) {
  while (!b.empty() && (b.back() == 0x00 || b.back() == 0xFF)) b.pop_back();
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  std::string out(b.size() * 2 + 4, '\0');
  char* in = reinterpret_cast<char*>(b.data());
  char* to = out.data();
  std::size_t in_left = b.size(), out_left = out.size();
  const bool ok = iconv(cd, &in, &in_left, &to, &out_left) != static_cast<std::size_t>(-1);
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return ok ? out : "<not GB 18030>";
}

// GB 11714 weights over the 8 characters; 10 is X, 11 is 0.
char card_number_check(const std::string& s) {
  const int weights[] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 8; ++i) {
    const char c = s[static_cast<std::size_t>(i)];
    sum += weights[i] * (c <= '9' ? c - '0' : c - 'A' + 10);
  }
  const int check = 11 - sum % 11;
  return check == 10 ? 'X' : check == 11 ? '0' : static_cast<char>('0' + check);
}

// opensc-explorer in one card session, fed line by line: "apdu <hex>", then
// an echo whose marker ends the answer.
class OpenscSession {
 public:
  struct Answer {
    std::uint16_t sw = 0;
    Bytes data;
  };

  explicit OpenscSession(const std::string& reader)
      : explorer_(ChildProcess::start(
            {"opensc-explorer", "--reader", reader, "-c", "default", "--mf", "", "-"}, {}, true)) {}
  ~OpenscSession() {
    explorer_.close_stdin();
    explorer_.terminate();
  }

  Answer apdu(const Bytes& command) {
    const std::string marker = fmt::format("@@end-{}@@", ++count_);
    EXPECT_TRUE(explorer_.write_stdin("apdu " + to_hex(command, HexCase::upper) + "\necho " +
                                      marker + "\n"));
    Answer answer;
    bool received = false;
    int dump_lines = 0;
    while (auto line = explorer_.read_line(std::chrono::seconds(20))) {
      if (line->find(marker) != std::string::npos) return answer;
      unsigned sw1 = 0, sw2 = 0;
      if (std::sscanf(line->c_str(), "Received (SW1=0x%x, SW2=0x%x)", &sw1, &sw2) == 2) {
        answer.sw = static_cast<std::uint16_t>(sw1 << 8 | sw2);
        received = true;
      } else if (received) {
        // OpenSC's hex dump: n "XX " columns (16 a line), then n ASCII
        // characters; only lines after the first pad short columns to 16.
        const bool first = dump_lines++ == 0;
        const std::size_t n = line->size() >= 64 ? 16
                              : first            ? line->size() / 4
                                                 : line->size() - 48;
        for (std::size_t i = 0; i < n; ++i) {
          auto byte = from_hex(line->substr(3 * i, 2));
          if (!byte) break;
          answer.data.push_back(byte->front());
        }
      }
    }
    ADD_FAILURE() << "opensc-explorer gave no answer to " << to_hex(command)
                  << "; stderr: " << explorer_.stderr_text();
    return answer;
  }

  Answer read_record(std::uint8_t p1, std::uint8_t p2) { return apdu({0x00, 0xB2, p1, p2, 0x00}); }

 private:
  ChildProcess explorer_;
  int count_ = 0;
};

// The TLV value of a record answer (tag, one-byte length, value).
Bytes value_of(const OpenscSession::Answer& a, std::uint8_t tag) {
  EXPECT_EQ(a.sw, 0x9000) << fmt::format("record {:02X}: SW {:04X}", tag, a.sw);
  if (a.data.size() < 2 || a.data[0] != tag || a.data[1] + 2u != a.data.size()) {
    ADD_FAILURE() << fmt::format("record {:02X} is not one TLV: {}", tag, to_hex(a.data));
    return {};
  }
  return Bytes(a.data.begin() + 2, a.data.end());
}

class HospitalReader : public EncodeThroughPcsc {
 protected:
  void SetUp() override {
    EncodeThroughPcsc::SetUp();
    // The reading master key with a value this test knows, as the issuer's
    // key ceremony would load it into the HSM and into the terminals' PSAMs.
    std::string master;
    for (const auto& key : profile_.applications.front().keys)
      if (key.role == "reading") master = key.master_key;
    ASSERT_FALSE(master.empty());
    auto hsm = open_soft_hsm(dir_.path());
    ASSERT_TRUE(hsm->destroy(master).ok());
    import_clear_key(
        *hsm,
        personalization::application_master_key_spec(master, profile_.secure_channel.algorithm),
        kReadingMaster);
  }
};

TEST_F(HospitalReader, OpenscReadsEveryItemAfterExternalAuthenticationAndNothingBefore) {
  const auto ids = import_applications(1, {"王小明"});
  insert_card("CAFE0001");
  auto encoded = encode(ids[0]);
  ASSERT_EQ(encoded.exit_code, 0) << encoded.out << encoded.err;
  auto st = store();
  const auto person = st->sensitive(ids[0], "test", "compare with the chip");
  const auto prepared = st->prepared(ids[0], "test", "compare with the chip");
  const auto status = st->status(ids[0]);
  ASSERT_TRUE(person.ok() && prepared.ok() && prepared->has_value() && status.ok());
  const db::ApplicationDetails& app = *status->details;
  const db::PreparedRecord& card = **prepared;

  OpenscSession reader(kSlot);
  // SELECT by AID with Le: the FCI, with the key algorithm flag readers parse.
  Bytes select = {0x00, 0xA4, 0x04, 0x00, static_cast<std::uint8_t>(kSsseAid.size())};
  select.insert(select.end(), kSsseAid.begin(), kSsseAid.end());
  select.push_back(0x00);
  const auto fci = reader.apdu(select);
  ASSERT_EQ(fci.sw, 0x9000) << to_hex(fci.data);
  EXPECT_NE(to_hex(fci.data, HexCase::upper).find("9F0C03860104"), std::string::npos)
      << "the key algorithm flag (AES card): " << to_hex(fci.data);
  // An EF selected without Le answers a bare 9000.
  const auto ef05 = reader.apdu({0x00, 0xA4, 0x02, 0x00, 0x02, 0xEF, 0x05});
  EXPECT_EQ(ef05.sw, 0x9000);
  EXPECT_TRUE(ef05.data.empty());

  // EF05 (SFI 5) is free: by tag, P2 = SFI << 3.
  const auto card_info = [&](std::uint8_t tag) {
    return value_of(reader.read_record(tag, 5 << 3), tag);
  };
  EXPECT_EQ(to_hex(card_info(0x01), HexCase::upper), "110000D15600000547905301CAFE0001");
  EXPECT_EQ(card_info(0x02), Bytes{'3'});
  EXPECT_EQ(card_info(0x03), (Bytes{'3', '.', '0', '0'}));
  EXPECT_EQ(bcd(card_info(0x04)), "110000000000000000000001");
  EXPECT_EQ(bcd(card_info(0x05)), fmt::format("{:04}{:02}{:02}", card.issue_date.year,
                                              card.issue_date.month, card.issue_date.day));
  EXPECT_EQ(bcd(card_info(0x06)), fmt::format("{:04}{:02}{:02}", card.expiry_date.year,
                                              card.expiry_date.month, card.expiry_date.day));
  const Bytes number = card_info(0x07);
  const std::string card_number(number.begin(), number.end());
  EXPECT_EQ(card_number, card.card_number);
  ASSERT_EQ(card_number.size(), 9u);
  EXPECT_EQ(card_number.back(), card_number_check(card_number));

  // EF06 (SFI 6) and the photo stay shut until the terminal proves the key:
  // every item by tag, and by number.
  for (const std::uint8_t tag :
       std::initializer_list<std::uint8_t>{0x08, 0x09, 0x4E, 0x0A, 0x0B, 0x0C, 0x0D})
    EXPECT_EQ(reader.read_record(tag, 6 << 3).sw, 0x6982) << fmt::format("tag {:02X}", tag);
  EXPECT_EQ(reader.read_record(7, 6 << 3 | 4).sw, 0x6982);
  EXPECT_EQ(reader.apdu({0x00, 0xB0, 0x88, 0x00, 0x00}).sw, 0x6982);
  auto challenge = reader.apdu({0x00, 0x84, 0x00, 0x00, 0x08});
  ASSERT_EQ(challenge.sw, 0x9000);
  ASSERT_EQ(challenge.data.size(), 8u);
  Bytes wrong = reference::aes_block(Bytes(16, 0x11), Bytes(16, 0x00));
  Bytes refused = {0x00, 0x82, 0x00, 0x0A, 0x10};
  refused.insert(refused.end(), wrong.begin(), wrong.end());
  EXPECT_EQ(reader.apdu(refused).sw, 0x6300);
  EXPECT_EQ(reader.read_record(0x08, 6 << 3).sw, 0x6982);

  challenge = reader.apdu({0x00, 0x84, 0x00, 0x00, 0x08});
  ASSERT_EQ(challenge.data.size(), 8u);
  Bytes block = challenge.data;
  block.resize(16, 0x00);
  const Bytes cryptogram = reference::aes_block(reading_key(card_number), block);
  Bytes authenticate = {0x00, 0x82, 0x00, 0x0A, 0x10};
  authenticate.insert(authenticate.end(), cryptogram.begin(), cryptogram.end());
  ASSERT_EQ(reader.apdu(authenticate).sw, 0x9000);

  const auto ef06 = [&](std::uint8_t tag) {
    return value_of(reader.read_record(tag, 6 << 3), tag);
  };
  const Bytes ssn = ef06(0x08);
  EXPECT_EQ(std::string(ssn.begin(), ssn.end()), person->id_number);
  EXPECT_EQ(from_gb18030(ef06(0x09)), "王小明");
  EXPECT_EQ(reader.read_record(0x4E, 6 << 3).sw, 0x6A83) << "a short name has no extension";
  EXPECT_EQ(ef06(0x0A), Bytes{static_cast<std::uint8_t>(app.female ? '2' : '1')});
  EXPECT_EQ(bcd(ef06(0x0B)), app.ethnicity);
  EXPECT_EQ(bcd(ef06(0x0C)), person->id_number.substr(0, 6)) << "出生地 from the ID number";
  const std::string birth =
      fmt::format("{:04}{:02}{:02}", app.birth_date.year, app.birth_date.month, app.birth_date.day);
  EXPECT_EQ(bcd(ef06(0x0D)), birth);
  // Readers that address by number find the birth date in record 7.
  EXPECT_EQ(bcd(value_of(reader.read_record(7, 6 << 3 | 4), 0x0D)), birth);
  const auto photo = reader.apdu({0x00, 0xB0, 0x88, 0x00, 0x00});
  EXPECT_EQ(photo.sw, 0x9000);
  ASSERT_GE(photo.data.size(), 2u);
  EXPECT_EQ(Bytes(photo.data.begin(), photo.data.begin() + 2), (Bytes{0xFF, 0xD8}));
}

}  // namespace
}  // namespace cardd::test
