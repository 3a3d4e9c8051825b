// A fresh database file per test, and a valid or rejected application record.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cardd/db/store.h"
#include "child_process.h"
#include "test_sealer.h"
#include "test_signer.h"

namespace cardd::db::test {

inline NewApplication sample(const std::string& id, const std::string& content = "v1",
                             bool rejected = false) {
  NewApplication a;
  a.application_id = id;
  a.content_hash = "hash-of-" + content;
  if (rejected) {
    a.rejection = R"([{"field":"mobile","code":"mobile.format","message":"bad"}])";
    return a;
  }
  a.details.collection = CollectionMethod::mail;
  a.details.birth_date = CivilDate{1949, 12, 31};
  a.details.issuing_bank = "ICBC";
  a.details.recipient_postal_code = "100020";
  a.personal.name = "王小明";
  a.personal.id_number = "11010519491231002X";
  a.personal.mobile = "13811112222";
  a.personal.residence_address = "北京市朝阳区某街1号";
  a.personal.recipient_name = "王大明";
  a.personal.recipient_mobile = "13900001111";
  a.personal.recipient_address = "北京市东城区某路2号";
  a.personal.photo = std::string("\xFF\xD8photo\x00bytes", 13);
  a.personal.id_front = "front";
  a.personal.id_back = "back";
  return a;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open(); }

  std::unique_ptr<Store> open() {
    StoreOptions options;
    options.create_if_missing = true;
    options.sealer = &sealer_;
    options.audit_signer = &signer_;
    auto store = Store::open(path(), options);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().describe());
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::string path() const { return (dir_.path() / "cardd.db").string(); }

  std::vector<IngestOutcome> ingest(const std::vector<NewApplication>& apps) {
    auto r = store_->ingest(IngestBatch{apps, "test", "tester", std::nullopt, "", {}});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
    return r.ok() ? *r : std::vector<IngestOutcome>{};
  }

  cardd::test::TempDir dir_;
  TestSealer sealer_;
  TestAuditSigner signer_;
  std::unique_ptr<Store> store_;
};

}  // namespace cardd::db::test
