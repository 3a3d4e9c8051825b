// Data preparation: numbers, check characters, GB 18030 and the items the
// profile writes.
#include <gtest/gtest.h>

#include <csetjmp>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include "bureau_photo.h"
#include "cardd/common/hex.h"
#include "cardd/personalization/card_data.h"
#include "chip_photo.h"
#include "regions.h"

namespace cardd::personalization {
namespace {

// Beijing's chip layout with the issuer codes of its region.toml (what
// server::with_region_issuer joins in production).
CardProfile profile() {
  const auto& region = test::shipped_region();
  auto p = load_card_profile(region.chip_profile().string());
  EXPECT_TRUE(p.ok());
  if (!p.ok()) return CardProfile{};
  p->issuer.region_code = region.code;
  p->issuer.vendor_code = region.vendor_code;
  return *p;
}

HolderData holder(std::string name) {
  HolderData h;
  h.name = std::move(name);
  h.id_number = "11010519491231002X";
  h.female = true;
  h.ethnicity = "05";
  h.birth_date = CivilDate{1949, 12, 31};
  h.issuing_bank = "ICBC";
  h.photo = test::bureau_photo();
  return h;
}

// Width, height and whether every scanline decodes; {0, 0, false} when not.
struct Decoded {
  unsigned width = 0, height = 0;
  bool complete = false;
};

struct JpegError {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
};

extern "C" void on_test_jpeg_error(j_common_ptr info) {
  std::longjmp(reinterpret_cast<JpegError*>(info->err)->jump, 1);
}

Decoded decode_fully(const card::Bytes& jpeg) {
  jpeg_decompress_struct info{};
  JpegError err{};
  info.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_test_jpeg_error;
  jpeg_create_decompress(&info);
  Decoded out;
  std::vector<unsigned char> row;  // outside the setjmp: a longjmp skips no destructor
  if (setjmp(err.jump) == 0) {
    jpeg_mem_src(&info, jpeg.data(), static_cast<unsigned long>(jpeg.size()));
    jpeg_read_header(&info, TRUE);
    jpeg_start_decompress(&info);
    row.resize(static_cast<std::size_t>(info.output_width) *
               static_cast<std::size_t>(info.output_components));
    while (info.output_scanline < info.output_height) {
      JSAMPROW r = row.data();
      jpeg_read_scanlines(&info, &r, 1);
    }
    jpeg_finish_decompress(&info);
    out = {info.image_width, info.image_height, err.pub.num_warnings == 0};
  }
  jpeg_destroy_decompress(&info);
  return out;
}

TEST(CardData, LuhnCheckDigitMatchesKnownNumbers) {
  EXPECT_EQ(luhn_check_digit("7992739871"), '3');       // the textbook example
  EXPECT_EQ(luhn_check_digit("453914880343646"), '7');  // a published test PAN 4539148803436467
  EXPECT_EQ(luhn_check_digit("000000000000000"), '0');
}

TEST(CardData, PanIsBinAccountAndLuhn) {
  const BankSpec bank{"ICBC", "621226", 12};
  const std::string pan = make_pan(bank, 42);
  EXPECT_EQ(pan.size(), 19u);
  EXPECT_EQ(pan.substr(0, 18), "621226000000000042");
  EXPECT_EQ(pan.back(), luhn_check_digit(pan.substr(0, 18)));
}

// The examples of real card numbers published with the layout review.
TEST(CardData, CardNumberCheckCharacterMatchesPublishedNumbers) {
  EXPECT_EQ(card_number_check_character("B7K33477"), '4');
  EXPECT_EQ(card_number_check_character("X0000001"), '9');
  // Both ends of the mapping: r = 1 (3 × 4 = 12) is X, r = 0 is 0.
  EXPECT_EQ(card_number_check_character("40000000"), 'X');
  EXPECT_EQ(card_number_check_character("00000000"), '0');
}

TEST(CardData, CardNumberIsPrefixCounterAndCheckCharacter) {
  const CardProfile p = profile();
  const std::string number = format_card_number(p.issuer, 1234);
  ASSERT_EQ(number.size(), 9u);
  EXPECT_EQ(number.substr(0, 8), "B0001234");
  EXPECT_EQ(number.back(), card_number_check_character("B0001234"));
}

TEST(CardData, CardIdentificationCodeIsRegionRidAndChip) {
  CardProfile p = profile();
  const card::Bytes chip = {0x47, 0x90, 0x53, 0x01, 0xCA, 0xFE, 0x00, 0x01};
  auto code = card_identification_code(p.issuer, chip);
  ASSERT_TRUE(code.ok()) << code.error().describe();
  EXPECT_EQ(to_hex(*code, HexCase::upper), "110000D15600000547905301CAFE0001");
  p.issuer.identification_tail = IdentificationTail::ic_serial;
  EXPECT_EQ(to_hex(*card_identification_code(p.issuer, chip), HexCase::upper),
            "110000D15600000500000000CAFE0001");
  EXPECT_FALSE(card_identification_code(p.issuer, card::Bytes(7, 0x00)).ok());
}

TEST(CardData, Gb18030EncodesRareCharactersAndRoundTrips) {
  auto a = to_gb18030("张三");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (card::Bytes{0xD5, 0xC5, 0xC8, 0xFD}));
  auto dot = to_gb18030("·");
  ASSERT_TRUE(dot.ok());
  EXPECT_EQ(*dot, (card::Bytes{0xA1, 0xA4}));
  auto ext_b = to_gb18030("\xF0\xA0\x80\x80");  // U+20000, CJK Extension B
  ASSERT_TRUE(ext_b.ok());
  EXPECT_EQ(*ext_b, (card::Bytes{0x95, 0x32, 0x82, 0x36}));
  auto back = from_gb18030(*ext_b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "\xF0\xA0\x80\x80");
  auto broken = to_gb18030("\xFF\xFE");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, PrepareError::unencodable_text);
}

TEST(CardData, PreparedItemsFollowTheProfile) {
  const CardProfile p = profile();
  auto card = prepare_card(p, holder("阿依古丽·买买提"), "B10000001", "6212260000000000428",
                           CivilDate{2026, 11, 25});
  ASSERT_TRUE(card.ok()) << card.error().describe();
  EXPECT_EQ(card->expiry_date, (CivilDate{2036, 11, 25}));
  EXPECT_EQ(card->items.at("card.issue_date"), (card::Bytes{0x20, 0x26, 0x11, 0x25}));
  EXPECT_EQ(card->items.at("holder.birth_date"), (card::Bytes{0x19, 0x49, 0x12, 0x31}));
  EXPECT_EQ(card->items.at("holder.gender"), (card::Bytes{'2'}));
  EXPECT_EQ(card->items.at("holder.ethnicity"), (card::Bytes{0x05}));
  EXPECT_EQ(card->items.at("fin.pan"),
            (card::Bytes{0x62, 0x12, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x42, 0x8F}));
  EXPECT_EQ(card->items.at("fin.expiry"), (card::Bytes{0x36, 0x11, 0x25}));
  EXPECT_EQ(card->items.at("fin.service_code"), (card::Bytes{0x02, 0x20}));
  const card::Bytes& name = card->items.at("holder.name");
  ASSERT_EQ(name.size(), 30u);
  EXPECT_EQ(name[8], 0xA1);  // "·" after 4 two-byte characters
  EXPECT_EQ(name[9], 0xA4);
  EXPECT_EQ(name.back(), 0x00);
  EXPECT_FALSE(card->items.contains("holder.name_extension"));
  EXPECT_FALSE(card->items.contains("card.identification_code"));
  EXPECT_EQ(card->items.at("holder.birth_place"), (card::Bytes{0x11, 0x01, 0x05}));
  EXPECT_EQ(card->items.at("card.spec_version"), (card::Bytes{'3', '.', '0', '0'}));
  const card::Bytes& org = card->items.at("card.issuer_org");
  ASSERT_EQ(org.size(), 12u);
  EXPECT_EQ(org.front(), 0x11);
  EXPECT_EQ(org.back(), 0x01);
}

TEST(CardData, ExpiryIsTheAnniversaryOrTheDayBeforeAsTheProfileSays) {
  CardProfile p = profile();
  p.issuer.expiry = ExpiryRule::day_before;
  for (const auto& [issue, expiry] : {std::pair{CivilDate{2026, 11, 25}, CivilDate{2036, 11, 24}},
                                      std::pair{CivilDate{2026, 3, 1}, CivilDate{2036, 2, 29}},
                                      std::pair{CivilDate{2027, 3, 1}, CivilDate{2037, 2, 28}},
                                      std::pair{CivilDate{2026, 1, 1}, CivilDate{2035, 12, 31}},
                                      std::pair{CivilDate{2024, 2, 29}, CivilDate{2034, 2, 27}}}) {
    auto card = prepare_card(p, holder("王小明"), "B10000001", "6212260000000000428", issue);
    ASSERT_TRUE(card.ok()) << card.error().describe();
    EXPECT_EQ(card->expiry_date, expiry) << issue.to_iso();
  }
}

TEST(CardData, LongNamesContinueInTheExtensionRecordAtACharacterBoundary) {
  // 14 BMP characters (28 bytes) + U+20000 (4 bytes) would cut it at 30.
  const std::string name = "欧阳诸葛司马上官东方南宫西门\xF0\xA0\x80\x80令狐";
  auto card = prepare_card(profile(), holder(name), "B10000002", "6212260000000000436",
                           CivilDate{2024, 2, 29});
  ASSERT_TRUE(card.ok()) << card.error().describe();
  EXPECT_EQ(card->expiry_date, (CivilDate{2034, 2, 28}));
  auto first = from_gb18030(card::Bytes(card->items.at("holder.name").begin(),
                                        card->items.at("holder.name").begin() + 28));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "欧阳诸葛司马上官东方南宫西门");
  const card::Bytes& ext = card->items.at("holder.name_extension");
  EXPECT_EQ(card::Bytes(ext.begin(), ext.begin() + 4), (card::Bytes{0x95, 0x32, 0x82, 0x36}));
  ASSERT_EQ(ext.size(), 20u);
  EXPECT_EQ(ext.back(), 0xFF) << "the extension is padded with FF, as real cards are";
}

TEST(CardData, ANameThatCannotBeEncodedIsAPreparationError) {
  auto card = prepare_card(profile(), holder("张\xED\xA0\x80三"), "B10000003",
                           "6212260000000000444", CivilDate{2026, 1, 1});
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().code, PrepareError::unencodable_text);
  EXPECT_EQ(card.error().message.find("张"), std::string::npos) << "no PII in the message";
}

TEST(CardData, ThePhotoIsReencodedToFitTheChip) {
  CardProfile p = profile();
  const std::string original = test::bureau_photo();
  ASSERT_GT(original.size(), 16384u);
  auto card = prepare_card(p, holder("王小明"), "B10000005", "6212260000000000469",
                           CivilDate{2026, 11, 25});
  ASSERT_TRUE(card.ok()) << card.error().describe();
  const card::Bytes& photo = card->items.at("holder.photo");
  EXPECT_LE(photo.size(), 16384u);
  EXPECT_GT(photo.size(), 2000u);
  EXPECT_EQ(card::Bytes(photo.begin(), photo.begin() + 2), (card::Bytes{0xFF, 0xD8}));
  EXPECT_EQ(card::Bytes(photo.end() - 2, photo.end()), (card::Bytes{0xFF, 0xD9}));
  // Requantized, not resampled: the whole image decodes at the bureau's size.
  const Decoded decoded = decode_fully(photo);
  EXPECT_TRUE(decoded.complete);
  EXPECT_EQ(decoded.width, 358u);
  EXPECT_EQ(decoded.height, 441u);
  // Re-encoding is deterministic: the same card gets the same bytes.
  auto again = prepare_card(p, holder("王小明"), "B10000005", "6212260000000000469",
                            CivilDate{2026, 11, 25});
  EXPECT_EQ(again->items.at("holder.photo"), photo);

  // The best quality that fits: a larger limit never gives a smaller photo,
  // and exactly the chosen size as the limit gives the same bytes, one byte
  // less a smaller photo (whether the search walks up or down from its start).
  std::size_t previous = 0;
  for (std::size_t limit : {std::size_t{7000}, std::size_t{9000}, std::size_t{12000},
                            std::size_t{16384}, std::size_t{24000}, original.size() - 1}) {
    auto chosen = photo_for_chip(original, limit);
    ASSERT_TRUE(chosen.ok()) << limit << ": " << chosen.error().describe();
    EXPECT_LE(chosen->size(), limit);
    EXPECT_GE(chosen->size(), previous) << limit;
    previous = chosen->size();
    EXPECT_EQ(*photo_for_chip(original, chosen->size()), *chosen) << limit;
    auto below = photo_for_chip(original, chosen->size() - 1);
    if (below.ok()) {
      EXPECT_LT(below->size(), chosen->size()) << limit;
    }
  }
  EXPECT_EQ(*photo_for_chip(original, 16384), photo);
  EXPECT_GT(previous, photo.size()) << "just under the original's size, a better quality fits";

  // A limit the photo already fits: kept byte for byte.
  p.applications[0].files[2].content->length = 32768;
  auto kept = prepare_card(p, holder("王小明"), "B10000005", "6212260000000000469",
                           CivilDate{2026, 11, 25});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->items.at("holder.photo"), card::Bytes(original.begin(), original.end()));

  // Too small a limit, and a photo that is not a JPEG.
  p.applications[0].files[2].content->length = 300;
  auto tiny = prepare_card(p, holder("王小明"), "B10000005", "6212260000000000469",
                           CivilDate{2026, 11, 25});
  ASSERT_FALSE(tiny.ok());
  EXPECT_EQ(tiny.error().code, PrepareError::too_long);
  HolderData broken = holder("王小明");
  broken.photo = std::string(40000, 'x');
  auto bad =
      prepare_card(profile(), broken, "B10000005", "6212260000000000469", CivilDate{2026, 11, 25});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, PrepareError::bad_value);
}

TEST(CardData, PreparedCardSurvivesJson) {
  auto card = prepare_card(profile(), holder("王小明"), "B10000004", "6212260000000000451",
                           CivilDate{2026, 11, 25});
  ASSERT_TRUE(card.ok());
  auto back = prepared_card_from_json(to_json(*card));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->items, card->items);
  EXPECT_EQ(back->pan, card->pan);
  EXPECT_EQ(back->expiry_date, card->expiry_date);
  EXPECT_FALSE(prepared_card_from_json("{\"profile\": 1}").ok());
}

}  // namespace
}  // namespace cardd::personalization
