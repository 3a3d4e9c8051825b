// What an issuance test needs, set up the way an operator would: a database
// with imported applications (cardctl gen + import), the issuer's keys in a
// soft HSM (KMC from a ceremony with known components, application master
// keys generated, storage keys from `cardctl keys init-storage`), a
// blank-card lot, and the region's profile. A fixture serves one region
// (Beijing unless a subclass names another).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cardd/db/store.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/server/hsm_audit_signer.h"
#include "cardd/server/hsm_sealer.h"
#include "cardd/server/region_profile.h"
#include "child_process.h"
#include "hex.h"
#include "regions.h"
#include "soft_hsm.h"

namespace cardd::test {

// The issuer KMC every test card is diversified from (the card vendor holds
// it too: vcard --kmc).
inline constexpr const char* kTestKmc = "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF";

class IssuanceFixture : public ::testing::Test {
 protected:
  explicit IssuanceFixture(std::string region = "beijing") : region_name_(std::move(region)) {}

  void SetUp() override {
    auto profile = server::load_region_profile(region());
    ASSERT_TRUE(profile.ok()) << profile.error().describe();
    profile_ = std::move(*profile);
    provision_keys();
  }

  const region::Region& region() const { return shipped_region(region_name_); }
  const std::string& region_name() const { return region_name_; }

  std::string db_path() const { return (dir_.path() / "cardd.db").string(); }

  // Generates `count` valid applications; `names` (if given) replace the
  // first names. Returns their ids.
  std::vector<std::string> import_applications(int count,
                                               const std::vector<std::string>& names = {}) {
    const std::string batch = (dir_.path() / "batch.jsonl").string();
    auto gen = cardctl({"gen", "--count", std::to_string(count), "--seed", "31", "--invalid-rate",
                        "0", "--out", batch, "--region", region_name_});
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    std::ifstream in(batch);
    std::vector<std::string> ids, lines;
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      if (ids.size() < names.size()) j["name"] = names[ids.size()];
      ids.push_back(j["application_id"].get<std::string>());
      lines.push_back(j.dump());
    }
    in.close();
    std::ofstream out(batch, std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
    out.close();
    auto imported =
        cardctl(with_hsm({"import", batch, "--db", db_path(), "--region", region_name_}));
    EXPECT_EQ(imported.exit_code, 0) << imported.out << imported.err;
    return ids;
  }

  void add_lot(const std::string& lot, const std::string& first_serial, int count) {
    auto r = cardctl(with_hsm({"stock", "add-lot", "--db", db_path(), "--lot", lot,
                               "--first-serial", first_serial, "--count", std::to_string(count)}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  RunResult cardctl(std::vector<std::string> args) {
    args.insert(args.begin(), bin_path("cardctl"));
    return run_command(args, "", std::chrono::seconds(120));
  }

  // The HSM options of cardctl for this test's keystore.
  std::vector<std::string> hsm_args() const {
    const auto c = soft_hsm_config(dir_.path());
    return {"--keystore", c.soft.keystore_path, "--passphrase-file", c.soft.passphrase_file};
  }

  std::vector<std::string> with_hsm(std::vector<std::string> args) const {
    for (auto& a : hsm_args()) args.push_back(std::move(a));
    return args;
  }

  // The store opened as cardd opens it: with the HSM's sealer.
  std::unique_ptr<db::Store> store() {
    if (!sealer_) {
      sealer_hsm_ = open_soft_hsm(dir_.path());
      auto sealer = server::HsmSealer::open(*sealer_hsm_);
      EXPECT_TRUE(sealer.ok()) << sealer.error().describe();
      if (!sealer.ok()) return nullptr;
      sealer_ = std::move(*sealer);
      auto signer = server::HsmAuditSigner::open(*sealer_hsm_);
      EXPECT_TRUE(signer.ok()) << signer.error().describe();
      if (!signer.ok()) return nullptr;
      signer_ = std::move(*signer);
    }
    db::StoreOptions options;
    options.create_if_missing = true;
    options.sealer = sealer_.get();
    options.audit_signer = signer_.get();
    auto s = db::Store::open(db_path(), options);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().describe());
    return s.ok() ? std::move(*s) : nullptr;
  }

  void provision_keys() {
    signer_.reset();
    sealer_.reset();
    sealer_hsm_.reset();
    auto hsm = open_soft_hsm(dir_.path());
    ASSERT_NE(hsm, nullptr);
    const auto& sc = profile_.secure_channel;
    import_clear_key(*hsm, hsm::KeySpec{sc.master_key, sc.algorithm, {hsm::Usage::derive}, 1},
                     hex(kTestKmc));
    for (const auto& app : profile_.applications)
      for (const auto& key : app.keys)
        ASSERT_TRUE(hsm->generate(personalization::application_master_key_spec(key.master_key,
                                                                               sc.algorithm))
                        .ok());
    hsm.reset();
    auto storage = cardctl(with_hsm({"keys", "init-storage", "--db", db_path()}));
    ASSERT_EQ(storage.exit_code, 0) << storage.out << storage.err;
  }

  std::string region_name_;
  TempDir dir_;
  std::unique_ptr<hsm::Hsm> sealer_hsm_;
  std::unique_ptr<server::HsmSealer> sealer_;
  std::unique_ptr<server::HsmAuditSigner> signer_;
  personalization::CardProfile profile_;
};

}  // namespace cardd::test
