#include "cardd/common/hex.h"

#include <gtest/gtest.h>

#include <array>

#include "cardd/common/sha256.h"

namespace cardd {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Hex, EncodesInTheCaseTheFormatNeeds) {
  const Bytes b{0x00, 0x9F, 0x7F, 0xAB};
  EXPECT_EQ(to_hex(b), "009f7fab");
  EXPECT_EQ(to_hex(b, HexCase::upper), "009F7FAB");
  EXPECT_EQ(to_hex(b, HexCase::upper, " "), "00 9F 7F AB");
  EXPECT_EQ(to_hex(Bytes{}), "");
  EXPECT_EQ(to_hex(std::string_view("\x01\xFE", 2)), "01fe");
  EXPECT_EQ(to_hex(std::string_view("\x01\xFE", 2), HexCase::upper), "01FE");
}

TEST(Hex, DigestsStayLowerCase) {
  // The audit chain and content hashes are stored lower case.
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hex, DecodesEitherCaseAndRoundTrips) {
  EXPECT_EQ(*from_hex("9f7FaB"), (Bytes{0x9F, 0x7F, 0xAB}));
  EXPECT_EQ(*from_hex(""), Bytes{});
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(*from_hex(to_hex(all)), all);
  EXPECT_EQ(*from_hex(to_hex(all, HexCase::upper)), all);
  EXPECT_EQ(*from_hex(to_hex(all, HexCase::upper, " "), " "), all);
}

TEST(Hex, SeparatorsOnlyWhenAllowed) {
  EXPECT_FALSE(from_hex("9F 7F").has_value());
  EXPECT_EQ(*from_hex("9F 7F", " "), (Bytes{0x9F, 0x7F}));
  EXPECT_EQ(*from_hex("9F:7F-01", ":-"), (Bytes{0x9F, 0x7F, 0x01}));
}

TEST(Hex, RefusesWhatIsNotHex) {
  EXPECT_FALSE(from_hex("9F7").has_value()) << "odd digit count";
  EXPECT_FALSE(from_hex("9G").has_value());
  EXPECT_FALSE(from_hex("0x9F").has_value());
  EXPECT_FALSE(from_hex("9F 7", " ").has_value());
  EXPECT_FALSE(hex_digit_value('g').has_value());
  EXPECT_EQ(hex_digit_value('f'), 15);
  EXPECT_EQ(hex_digit_value('A'), 10);
}

TEST(Hex, DecodesIntoACallersBuffer) {
  std::array<std::uint8_t, 2> out{};
  EXPECT_EQ(decode_hex("0102", out), 2u);
  EXPECT_EQ(out[1], 0x02);
  EXPECT_EQ(decode_hex("01", out), 1u);
  EXPECT_FALSE(decode_hex("010203", out).has_value()) << "does not fit";
}

}  // namespace
}  // namespace cardd
