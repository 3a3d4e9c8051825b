#include "cardd/common/pii.h"

#include <gtest/gtest.h>

namespace cardd {
namespace {

TEST(Pii, MasksIdNumbersLikeTheDesignSays) {
  EXPECT_EQ(mask_id_number("11010519491231123X"), "110105********123X");
  EXPECT_EQ(mask_id_number("1101051949"), "**********");
}

TEST(Pii, MasksMobilesAndCardNumbers) {
  EXPECT_EQ(mask_mobile("13811112222"), "138****2222");
  EXPECT_EQ(mask_mobile("1381111"), "*******");
  EXPECT_EQ(mask_tail4("6222021234567890"), "************7890");
  EXPECT_EQ(mask_tail4("123"), "***");
}

}  // namespace
}  // namespace cardd
