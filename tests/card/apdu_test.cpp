#include "cardd/card/apdu.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace cardd::card {
namespace {

using test::hex;

TEST(Apdu, EncodesTheFourShortCases) {
  EXPECT_EQ((*CommandApdu{0x80, 0xF2, 0x80, 0x00, {}, std::nullopt}.encode()), hex("80F28000"));
  EXPECT_EQ((*CommandApdu{0x80, 0xCA, 0x9F, 0x7F, {}, 256u}.encode()), hex("80CA9F7F00"));
  EXPECT_EQ((*CommandApdu{0x00, 0xA4, 0x04, 0x00, hex("A000000003"), std::nullopt}.encode()),
            hex("00A4040005A000000003"));
  EXPECT_EQ((*CommandApdu{0x00, 0xA4, 0x04, 0x00, hex("A000000003"), 256u}.encode()),
            hex("00A4040005A00000000300"));
}

TEST(Apdu, EncodesExtendedWhenNeeded) {
  const CommandApdu big{0x80, 0xE2, 0x00, 0x00, Bytes(300, 0xAB), std::nullopt};
  const Bytes e = *big.encode();
  EXPECT_EQ(Bytes(e.begin(), e.begin() + 7), hex("80E20000"
                                                 "00012C"));
  EXPECT_EQ(e.size(), 7u + 300u);
  EXPECT_EQ((*CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 65536u}.encode()), hex("00B00000000000"));
  EXPECT_EQ((*CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 1000u}.encode()), hex("00B0000000"
                                                                            "03E8"));
  EXPECT_EQ(
      (CommandApdu{0x00, 0xB0, 0x00, 0x00, Bytes(70000, 0), std::nullopt}.encode().error().code),
      ApduError::too_long);
}

TEST(Apdu, ParseIsTheInverseOfEncodeForEveryCase) {
  const CommandApdu cases[] = {
      {0x80, 0xF2, 0x80, 0x00, {}, std::nullopt},
      {0x80, 0xCA, 0x9F, 0x7F, {}, 256u},
      {0x00, 0xA4, 0x04, 0x00, hex("A0000000"), std::nullopt},
      {0x00, 0xA4, 0x04, 0x00, hex("A0000000"), 17u},
      {0x00, 0xB0, 0x00, 0x00, {}, 65536u},
      {0x80, 0xE2, 0x80, 0x01, Bytes(600, 1), std::nullopt},
      {0x80, 0xE2, 0x80, 0x01, Bytes(600, 1), 4000u},
  };
  for (const auto& c : cases) {
    const auto parsed = CommandApdu::parse(*c.encode());
    ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
    EXPECT_EQ(parsed->ins, c.ins);
    EXPECT_EQ(parsed->data, c.data);
    EXPECT_EQ(parsed->le, c.le);
  }
}

TEST(Apdu, MalformedCommandsAreRefused) {
  for (const char* bad : {"80F280", "00A4040005A0000000", "00A4040002A0000000",
                          "00B000000000010203", "00B000000000"}) {
    const auto r = CommandApdu::parse(hex(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ApduError::malformed) << bad;
  }
}

TEST(Apdu, ResponsesAndStatusWords) {
  const auto r = ResponseApdu::parse(hex("9F7F039000"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data, hex("9F7F03"));
  EXPECT_TRUE(r->sw.ok());
  EXPECT_EQ(r->encode(), hex("9F7F039000"));
  EXPECT_FALSE(ResponseApdu::parse(hex("90")).ok());
  EXPECT_TRUE(StatusWord(0x6110).bytes_remaining());
  EXPECT_TRUE(StatusWord(0x6C20).wrong_le());
  EXPECT_TRUE(StatusWord(0x63C2).verify_failed());
  EXPECT_EQ(StatusWord(0x63C2).tries_left(), 2u);
  EXPECT_EQ(sw::kConditionsNotSatisfied.to_string(), "6985 (conditions of use not satisfied)");
}

TEST(Apdu, CheckCarriesTheStatusWordInTheError) {
  const ResponseApdu ok{{}, sw::kSuccess};
  EXPECT_TRUE(check(ok, "SELECT").ok());
  const ResponseApdu refused{{}, sw::kConditionsNotSatisfied};
  const Status s = check(refused, "STORE DATA DGI 0101");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "STORE DATA DGI 0101: 6985 (conditions of use not satisfied)");
  EXPECT_EQ(status_of(s.error()), sw::kConditionsNotSatisfied);
  EXPECT_EQ(s.error().code.value(), 0x6985);
  EXPECT_TRUE(check(refused, "READ", {sw::kSuccess, sw::kConditionsNotSatisfied}).ok());
  EXPECT_FALSE(status_of(make_error(ApduError::malformed, "x")).has_value());
}

}  // namespace
}  // namespace cardd::card
