#include "cardd/card/ber_tlv.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace cardd::card {
namespace {

using test::hex;

TEST(BerTlv, ParsesMultiByteTagsAndNestedObjects) {
  // 9F7F (CPLC, two-byte tag) inside a constructed 70 template, then 5A.
  const auto parsed = parse_tlv(hex("70069F7F03AABBCC5A021234"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].tag, 0x70u);
  EXPECT_TRUE(is_constructed(0x70));
  ASSERT_EQ((*parsed)[0].children.size(), 1u);
  EXPECT_EQ((*parsed)[0].children[0].tag, 0x9F7Fu);
  EXPECT_EQ((*parsed)[0].children[0].value, hex("AABBCC"));
  EXPECT_EQ(find_tlv(*parsed, 0x9F7F)->value, hex("AABBCC"));
  EXPECT_EQ((*parsed)[1].value, hex("1234"));
  EXPECT_EQ(find_tlv(*parsed, 0x5F20), nullptr);
}

TEST(BerTlv, LongFormLengthsRoundTrip) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{127}, std::size_t{128}, std::size_t{255},
                              std::size_t{256}, std::size_t{70000}}) {
    const Tlv t = Tlv::primitive(0xDF01, Bytes(n, 0x5A));
    const Bytes encoded = encode_tlv(t);
    const auto back = parse_tlv(encoded);
    ASSERT_TRUE(back.ok()) << n << ": " << back.error().describe();
    ASSERT_EQ(back->size(), 1u);
    EXPECT_EQ(back->front().tag, 0xDF01u);
    EXPECT_EQ(back->front().value.size(), n);
  }
  Bytes out;
  append_length(out, 128);
  EXPECT_EQ(out, hex("8180"));
  out.clear();
  append_length(out, 256);
  EXPECT_EQ(out, hex("820100"));
}

TEST(BerTlv, ConstructedEncodingNestsChildren) {
  const Tlv t =
      Tlv::constructed(0xA5, {Tlv::primitive(0x88, {0x01}), Tlv::primitive(0x5F2D, {'z', 'h'})});
  EXPECT_EQ(encode_tlv(t), hex("A508880101"
                               "5F2D027A68"));
}

TEST(BerTlv, RefusesEveryTruncation) {
  const Bytes good = hex("70069F7F03AABBCC");
  for (std::size_t n = 1; n < good.size(); ++n) {
    const auto r = parse_tlv(ByteView(good.data(), n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, TlvError::truncated) << n;
  }
}

TEST(BerTlv, RefusesIndefiniteAndOversizedLengthsAndLongTags) {
  EXPECT_EQ(parse_tlv(hex("5A80")).error().code, TlvError::bad_length);
  EXPECT_EQ(parse_tlv(hex("5A84FFFFFFFF")).error().code, TlvError::bad_length);
  EXPECT_EQ(parse_tlv(hex("5A83FFFFFF00")).error().code, TlvError::truncated);
  EXPECT_EQ(parse_tlv(hex("9F8181818101")).error().code, TlvError::bad_tag);
}

TEST(BerTlv, LimitsNesting) {
  Bytes deep = hex("5A0100");
  for (int i = 0; i < 20; ++i) {
    Bytes wrapped{0x70};
    append_length(wrapped, deep.size());
    wrapped.insert(wrapped.end(), deep.begin(), deep.end());
    deep = wrapped;
  }
  EXPECT_EQ(parse_tlv(deep).error().code, TlvError::too_deep);
  EXPECT_TRUE(parse_tlv(deep, TlvParseOptions{32, false}).ok());
}

TEST(BerTlv, PaddingOnlyWhenAsked) {
  EXPECT_FALSE(parse_tlv(hex("005A0101FF")).ok());
  const auto r = parse_tlv(hex("005A0101FF"), TlvParseOptions{8, true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);
}

}  // namespace
}  // namespace cardd::card
