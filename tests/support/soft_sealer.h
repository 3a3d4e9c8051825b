// The store's sealer as cardd makes it (server/hsm_sealer.h), over a soft
// HSM in a test's directory whose storage keys are created on first call,
// as `cardctl keys init-storage` does.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cardd/db/store.h"
#include "cardd/server/hsm_sealer.h"
#include "soft_hsm.h"

namespace cardd::test {

struct SoftSealer {
  std::unique_ptr<hsm::Hsm> hsm;
  std::unique_ptr<server::HsmSealer> sealer;

  explicit SoftSealer(const std::filesystem::path& dir) : hsm(open_soft_hsm(dir)) {
    if (!hsm) return;
    auto made = server::create_storage_keys(*hsm, false);
    EXPECT_TRUE(made.ok() || made.error().code == hsm::HsmError::key_exists)
        << made.error().describe();
    auto opened = server::HsmSealer::open(*hsm);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().describe());
    if (opened.ok()) sealer = std::move(*opened);
  }

  // The database at `path` (created when missing) with this sealer.
  std::unique_ptr<db::Store> open_store(const std::string& path) {
    db::StoreOptions options;
    options.create_if_missing = true;
    options.sealer = sealer.get();
    auto store = db::Store::open(path, options);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().describe());
    return store.ok() ? std::move(*store) : nullptr;
  }
};

}  // namespace cardd::test
