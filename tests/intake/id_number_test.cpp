#include "cardd/intake/id_number.h"

#include <gtest/gtest.h>

namespace cardd::intake {
namespace {

TEST(IdNumber, AcceptsThePublishedExamplesOfGb11643) {
  // The two worked examples printed in GB 11643-1999.
  EXPECT_EQ(IdNumber::check("11010519491231002X"), IdNumberProblem::none);
  EXPECT_EQ(IdNumber::check("440524188001010014"), IdNumberProblem::none);
  EXPECT_EQ(IdNumber::check_character("11010519491231002"), 'X');
  EXPECT_EQ(IdNumber::check_character("44052418800101001"), '4');
}

TEST(IdNumber, EveryWrongCheckCharacterIsRefused) {
  const std::string base = "11010519491231002";
  for (const char c : std::string("0123456789")) {
    EXPECT_EQ(IdNumber::check(base + c), IdNumberProblem::checksum) << c;
  }
}

TEST(IdNumber, LowerCaseXIsAcceptedAndNormalised) {
  ASSERT_EQ(IdNumber::check("11010519491231002x"), IdNumberProblem::none);
  EXPECT_EQ(IdNumber::from_checked("11010519491231002x").str(), "11010519491231002X");
}

TEST(IdNumber, ClassifiesStructuralProblems) {
  EXPECT_EQ(IdNumber::check("1101051949123100"), IdNumberProblem::format);
  EXPECT_EQ(IdNumber::check("1101051949123100211"), IdNumberProblem::format);
  EXPECT_EQ(IdNumber::check("11010519491231002Y"), IdNumberProblem::format);
  EXPECT_EQ(IdNumber::check("1101051949123A002X"), IdNumberProblem::format);
  EXPECT_EQ(IdNumber::check("990105194912310020"), IdNumberProblem::area_code);
  EXPECT_EQ(IdNumber::check("110105194902300020"), IdNumberProblem::birth_date);  // 30 February
}

TEST(IdNumber, ExposesBirthDateGenderAndMask) {
  const IdNumber id = IdNumber::from_checked("11010519491231002X");
  EXPECT_EQ(id.birth_date(), (CivilDate{1949, 12, 31}));
  EXPECT_FALSE(id.is_male());                                           // sequence 002: even
  EXPECT_TRUE(IdNumber::from_checked("440524188001010014").is_male());  // 001: odd
  EXPECT_EQ(id.masked(), "110105********002X");
}

}  // namespace
}  // namespace cardd::intake
