// The store's sealer over the HSM: bound to its associated data, tamper
// evident, and rotatable (new values under the new key version, older ones
// still open). Keys come from the ceremony, never from first use.
#include "cardd/server/hsm_sealer.h"

#include <gtest/gtest.h>

#include "cardd/db/error.h"
#include "child_process.h"
#include "soft_hsm.h"

namespace cardd::server {
namespace {

class HsmSealerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hsm_ = test::open_soft_hsm(dir_.path());
    ASSERT_NE(hsm_, nullptr);
  }
  std::unique_ptr<HsmSealer> sealer() {
    auto s = HsmSealer::open(*hsm_);
    EXPECT_TRUE(s.ok()) << s.error().describe();
    return s.ok() ? std::move(*s) : nullptr;
  }
  test::TempDir dir_;
  std::unique_ptr<hsm::Hsm> hsm_;
};

TEST_F(HsmSealerTest, WithoutStorageKeysItNamesTheCommandThatCreatesThem) {
  auto s = HsmSealer::open(*hsm_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, hsm::HsmError::key_not_found);
  EXPECT_NE(s.error().message.find("cardctl keys init-storage"), std::string::npos);
  EXPECT_TRUE(hsm_->list()->empty()) << "nothing was created on the way";
}

TEST_F(HsmSealerTest, AValueOpensOnlyWithItsAssociatedDataAndUnaltered) {
  ASSERT_EQ(create_storage_keys(*hsm_, false)->size(), 3u);
  auto s = sealer();
  const std::string plain = "11010519491231002X 王小明";
  auto sealed = s->seal(plain, "cardd/applications/personal/A1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("11010519491231002X"), std::string::npos);
  EXPECT_EQ(*s->open(*sealed, "cardd/applications/personal/A1"), plain);
  EXPECT_EQ(s->open(*sealed, "cardd/applications/personal/A2").error().code,
            db::DbError::unsealable);
  for (const std::size_t at : {std::size_t{3}, std::size_t{10}, sealed->size() - 1}) {
    std::string altered = *sealed;
    altered[at] = static_cast<char>(altered[at] ^ 0x01);
    EXPECT_EQ(s->open(altered, "cardd/applications/personal/A1").error().code,
              db::DbError::unsealable)
        << "byte " << at;
  }
  EXPECT_EQ(*s->keyed_hash("id_number", "X"), *s->keyed_hash("id_number", "X"));
  EXPECT_NE(*s->keyed_hash("id_number", "X"), *s->keyed_hash("name", "X"));
  EXPECT_EQ(create_storage_keys(*hsm_, false).error().code, hsm::HsmError::key_exists);
}

TEST_F(HsmSealerTest, AfterRotationNewValuesUseTheNewVersionAndOldOnesStillOpen) {
  ASSERT_TRUE(create_storage_keys(*hsm_, false).ok());
  auto old = sealer()->seal("before rotation", "ad");
  ASSERT_TRUE(old.ok());
  auto rotated = create_storage_keys(*hsm_, true);
  ASSERT_TRUE(rotated.ok()) << rotated.error().describe();
  ASSERT_EQ(rotated->size(), 2u);
  EXPECT_EQ((*rotated)[0].spec.name, "cardd.storage.enc.v2");
  auto s = sealer();
  EXPECT_EQ(s->key_version(), 2);
  auto fresh = s->seal("after rotation", "ad");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->substr(3, 2), std::string("\x00\x02", 2));
  EXPECT_EQ(*s->open(*old, "ad"), "before rotation");
  EXPECT_EQ(*s->open(*fresh, "ad"), "after rotation");
  const auto hash_before = *s->keyed_hash("pan", "6212260000000012345");
  EXPECT_EQ(hash_before, *sealer()->keyed_hash("pan", "6212260000000012345"))
      << "lookups survive rotation";
}

}  // namespace
}  // namespace cardd::server
