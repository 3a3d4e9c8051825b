#include "cardd/common/error_category.h"

#include <gtest/gtest.h>

#include "cardd/common/result.h"

namespace cardd {
namespace {

enum class FruitError { bruised = 1, eaten };

std::string_view to_string(FruitError e) {
  switch (e) {
    case FruitError::bruised:
      return "bruised";
    case FruitError::eaten:
      return "eaten";
  }
  return {};
}

const std::error_category& fruit_category() {
  static const ErrorCategory<FruitError> category("fruit", to_string);
  return category;
}

std::error_code make_error_code(FruitError e) { return {static_cast<int>(e), fruit_category()}; }

}  // namespace
}  // namespace cardd

template <>
struct std::is_error_code_enum<cardd::FruitError> : std::true_type {};

namespace cardd {
namespace {

TEST(ErrorCategory, NamesTheCategoryAndEachCode) {
  EXPECT_STREQ(fruit_category().name(), "fruit");
  EXPECT_EQ(std::error_code(FruitError::bruised).message(), "bruised");
  EXPECT_EQ(std::error_code(FruitError::eaten).message(), "eaten");
}

TEST(ErrorCategory, DescribeJoinsCategoryCodeAndMessage) {
  EXPECT_EQ(make_error(FruitError::eaten, "by the cat").describe(), "fruit.eaten: by the cat");
}

TEST(ErrorCategory, ValueOutsideTheEnumIsUnknown) {
  EXPECT_EQ(std::error_code(99, fruit_category()).message(), "unknown");
  EXPECT_EQ(std::error_code(0, fruit_category()).message(), "unknown");
}

TEST(ErrorCategory, CodesCompareByCategory) {
  const std::error_code code = FruitError::bruised;
  EXPECT_EQ(code, FruitError::bruised);
  EXPECT_NE(code, std::error_code(1, std::generic_category()));
  EXPECT_EQ(&code.category(), &fruit_category());
}

}  // namespace
}  // namespace cardd
