// The key ceremony's rules and audit trail on every backend.
#include "cardd/hsm/ceremony.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "backend_fixture.h"

namespace cardd::hsm::test {
namespace {

// 11…11 xor 11 10 13 12 … = 000102…0f (FIPS-197), whose GP KCV is C35280.
constexpr const char* kC1 = "11111111111111111111111111111111";
constexpr const char* kC2 = "11101312151417161918 1b1a1d1c1f1e";
constexpr const char* kDes = "0123456789ABCDEFFEDCBA9876543210";

class Ceremony : public HsmBackendTest {
 protected:
  CeremonyAudit recorder() {
    return [this](const CeremonyEvent& e) -> Status {
      events_.push_back(e);
      return {};
    };
  }
  Result<KeyCeremony> begin(const KeySpec& spec, int components = 2) {
    return KeyCeremony::begin(*hsm_, spec, components, recorder());
  }
  static KeySpec aes(const std::string& name) {
    return KeySpec{name, Algorithm::aes128, {Usage::encrypt}, 1};
  }
  static KeySpec des(const std::string& name) {
    return KeySpec{name, Algorithm::des3_2key, {Usage::mac}, 1};
  }

  // No event carries a component's or the key's value, in either case.
  void expect_no_key_bytes(std::vector<std::string> secrets) const {
    for (auto& s : secrets) s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    for (const auto& e : events_) {
      std::string text = e.detail() + e.reason + e.kcv;
      std::transform(text.begin(), text.end(), text.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      for (auto s : secrets) {
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        EXPECT_EQ(text.find(s.substr(0, 12)), std::string::npos) << text;
      }
    }
  }

  std::vector<CeremonyEvent> events_;
};

TEST_P(Ceremony, CombinesTwoComponentsAndAuditsEachStep) {
  auto c = begin(aes("zmk"));
  ASSERT_TRUE(c.ok()) << c.error().describe();
  auto k1 = c->add_component_hex(kC1);
  ASSERT_TRUE(k1.ok()) << k1.error().describe();
  EXPECT_EQ(*k1, *kcv_of(Algorithm::aes128, *parse_key_hex(Algorithm::aes128, kC1)));
  auto k2 = c->add_component_hex(kC2);
  ASSERT_TRUE(k2.ok()) << k2.error().describe();
  EXPECT_EQ(c->entered(), 2);
  auto key = c->finish();
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->kcv, "C35280");
  auto ct = hsm_->encrypt("zmk", CipherMode::ecb, {}, hex("00112233445566778899aabbccddeeff"));
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(to_hex(*ct), "69c4e0d86a7b0430d8cdb78070b4c55a");

  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[0].step, CeremonyStep::component_accepted);
  EXPECT_EQ(events_[0].component, 1);
  EXPECT_EQ(events_[0].kcv, *k1);
  EXPECT_EQ(events_[1].step, CeremonyStep::component_accepted);
  EXPECT_EQ(events_[1].component, 2);
  EXPECT_EQ(events_[1].kcv, *k2);
  EXPECT_EQ(events_[2].step, CeremonyStep::key_created);
  EXPECT_EQ(events_[2].kcv, "C35280");
  EXPECT_EQ(events_[2].component_kcvs, (std::vector<std::string>{*k1, *k2}));
  EXPECT_EQ(events_[2].detail(),
            fmt::format("alg=aes128 usage=encrypt version=1 components=2 kcv=C35280 "
                        "component_kcvs={},{}",
                        *k1, *k2));
  expect_no_key_bytes({kC1, kC2, "000102030405060708090a0b0c0d0e0f"});
}

TEST_P(Ceremony, ThreeComponents) {
  auto c = begin(des("kmc"), 3);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->add_component_hex(kDes).ok());
  ASSERT_TRUE(c->add_component_hex("F1E2D3C4B5A6978889706A5B4C3D2E1F").ok());
  EXPECT_EQ(c->finish().error().code, HsmError::invalid_argument) << "only 2 of 3 entered";
  EXPECT_FALSE(hsm_->info("kmc").ok());
  EXPECT_EQ(events_.back().step, CeremonyStep::refused);

  events_.clear();
  auto again = begin(des("kmc"), 3);
  ASSERT_TRUE(again.ok());
  for (const char* part :
       {kDes, "F1E2D3C4B5A6978889706A5B4C3D2E1F", "2C3D4E5F60718293A4B5C6D7E8F90A1B"})
    ASSERT_TRUE(again->add_component_hex(part).ok()) << part;
  auto key = again->finish();
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(hsm_->info("kmc")->kcv, key->kcv);
  ASSERT_EQ(events_.size(), 4u);
  EXPECT_EQ(events_[3].component_kcvs.size(), 3u);
}

TEST_P(Ceremony, RepeatedComponentIsRefusedAndAudited) {
  auto c = begin(des("k1"));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->add_component_hex(kDes).ok());
  auto second = c->add_component_hex(kDes);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, HsmError::weak_key);
  EXPECT_EQ(second.error().describe(), "hsm.weak_key: component 2 repeats component 1");
  // A refusal ends the ceremony: the custodians start again.
  EXPECT_FALSE(c->add_component_hex("F1E2D3C4B5A6978889706A5B4C3D2E1F").ok());
  EXPECT_FALSE(c->finish().ok());
  EXPECT_FALSE(hsm_->info("k1").ok());
  ASSERT_EQ(events_.size(), 2u) << "later calls on a refused ceremony are not steps";
  EXPECT_EQ(events_[1].step, CeremonyStep::refused);
  EXPECT_EQ(events_[1].component, 2);
  EXPECT_EQ(events_[1].reason, "hsm.weak_key: component 2 repeats component 1");
  expect_no_key_bytes({kDes});
}

TEST_P(Ceremony, WeakOrMalformedComponentsAreRefusedAndAudited) {
  const std::string weak = "0101010101010101FEDCBA9876543210";  // a DES weak key half
  auto c = begin(des("k2"));
  ASSERT_TRUE(c.ok());
  auto r = c->add_component_hex(weak);
  EXPECT_EQ(r.error().code, HsmError::weak_key);
  EXPECT_NE(r.error().message.find("component 1 is weak"), std::string::npos);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].step, CeremonyStep::refused);
  EXPECT_EQ(events_[0].component, 1);

  auto zero = begin(des("k3"));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->add_component_hex(std::string(32, '0')).error().code, HsmError::weak_key);

  auto typo = begin(des("k4"));
  ASSERT_TRUE(typo.ok());
  const std::string bad = "0123456789ABCDEFFEDCBA987654321G";
  EXPECT_EQ(typo->add_component_hex(bad).error().code, HsmError::invalid_argument);
  auto short_one = begin(des("k5"));
  ASSERT_TRUE(short_one.ok());
  EXPECT_EQ(short_one->add_component_hex("0123456789ABCDEF").error().code,
            HsmError::invalid_argument);
  ASSERT_EQ(events_.size(), 4u);
  for (const auto& e : events_) EXPECT_EQ(e.step, CeremonyStep::refused);
  expect_no_key_bytes({weak, bad, kDes});
  for (const char* name : {"k2", "k3", "k4", "k5"}) EXPECT_FALSE(hsm_->info(name).ok()) << name;
}

TEST_P(Ceremony, BeginRefusesATakenNameOrAWrongCountAndAuditsIt) {
  import_key("taken", Algorithm::aes128, {Usage::encrypt}, "000102030405060708090a0b0c0d0e0f");
  auto taken = begin(aes("taken"));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, HsmError::key_exists);
  EXPECT_EQ(begin(aes("one"), 1).error().code, HsmError::invalid_argument);
  EXPECT_EQ(begin(aes("four"), 4).error().code, HsmError::invalid_argument);
  EXPECT_EQ(begin(KeySpec{"nousage", Algorithm::aes128, {}, 1}).error().code,
            HsmError::invalid_argument);
  ASSERT_EQ(events_.size(), 4u);
  for (const auto& e : events_) {
    EXPECT_EQ(e.step, CeremonyStep::refused);
    EXPECT_EQ(e.component, 0);
    EXPECT_FALSE(e.reason.empty());
  }
  EXPECT_EQ(events_[0].reason, "hsm.key_exists: key taken exists");
}

TEST_P(Ceremony, AStepThatCannotBeAuditedDoesNotHappen) {
  int calls = 0;
  auto c = KeyCeremony::begin(*hsm_, aes("zmk"), 2, [&](const CeremonyEvent& e) -> Status {
    ++calls;
    if (e.step == CeremonyStep::component_accepted && e.component == 2)
      return make_error(HsmError::io, "audit log unavailable");
    return {};
  });
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->add_component_hex(kC1).ok());
  auto r = c->add_component_hex(kC2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().describe().find("audit log unavailable"), std::string::npos);
  EXPECT_FALSE(c->finish().ok());
  EXPECT_FALSE(hsm_->info("zmk").ok());
  EXPECT_EQ(calls, 3) << "component 1, the failed component 2, the refusal";
}

TEST_P(Ceremony, AnAbandonedCeremonyIsAudited) {
  {
    auto c = begin(aes("left"));
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->add_component_hex(kC1).ok());
  }  // the custodians walked away
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[1].step, CeremonyStep::refused);
  EXPECT_NE(events_[1].reason.find("abandoned"), std::string::npos);

  auto c = begin(aes("eof"));
  ASSERT_TRUE(c.ok());
  c->abandon(make_error(HsmError::invalid_argument, "input ended"));
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[2].reason, "hsm.invalid_argument: input ended");
  EXPECT_FALSE(hsm_->info("left").ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, Ceremony, ::testing::Values("soft", "pkcs11"), backend_name);

}  // namespace
}  // namespace cardd::hsm::test
