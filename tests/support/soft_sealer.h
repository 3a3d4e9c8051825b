// The store's sealer and audit signer as cardd makes them
// (server/hsm_sealer.h, server/hsm_audit_signer.h), over a soft HSM in a
// test's directory whose storage and audit keys are created on first call,
// as `cardctl keys init-storage` does.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cardd/db/store.h"
#include "cardd/server/hsm_audit_signer.h"
#include "cardd/server/hsm_sealer.h"
#include "soft_hsm.h"

namespace cardd::test {

struct SoftSealer {
  std::unique_ptr<hsm::Hsm> hsm;
  std::unique_ptr<server::HsmSealer> sealer;
  std::unique_ptr<server::HsmAuditSigner> signer;

  explicit SoftSealer(const std::filesystem::path& dir) : hsm(open_soft_hsm(dir)) {
    if (!hsm) return;
    auto made = server::create_storage_keys(*hsm, false);
    EXPECT_TRUE(made.ok() || made.error().code == hsm::HsmError::key_exists)
        << made.error().describe();
    auto opened = server::HsmSealer::open(*hsm);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().describe());
    if (opened.ok()) sealer = std::move(*opened);
    auto audit_key = server::create_audit_key(*hsm, false);
    EXPECT_TRUE(audit_key.ok() || audit_key.error().code == hsm::HsmError::key_exists)
        << audit_key.error().describe();
    auto signing = server::HsmAuditSigner::open(*hsm);
    EXPECT_TRUE(signing.ok()) << (signing.ok() ? "" : signing.error().describe());
    if (signing.ok()) signer = std::move(*signing);
  }

  // The database at `path` (created when missing) with this sealer.
  std::unique_ptr<db::Store> open_store(const std::string& path) {
    db::StoreOptions options;
    options.create_if_missing = true;
    options.sealer = sealer.get();
    options.audit_signer = signer.get();
    auto store = db::Store::open(path, options);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().describe());
    return store.ok() ? std::move(*store) : nullptr;
  }
};

}  // namespace cardd::test
