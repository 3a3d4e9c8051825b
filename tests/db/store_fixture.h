// A fresh database file per test, and a valid or rejected application record.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cardd/db/store.h"
#include "child_process.h"

namespace cardd::db::test {

inline NewApplication sample(const std::string& id, const std::string& content = "v1",
                             bool rejected = false) {
  NewApplication a;
  a.application_id = id;
  a.content_hash = "hash-of-" + content;
  a.collection = CollectionMethod::mail;
  a.public_data = R"({"name":"王小明"})";
  if (rejected) a.rejection = R"([{"field":"mobile","code":"mobile.format","message":"bad"}])";
  a.id_number = "11010519491231002X";
  a.mobile = "13811112222";
  a.recipient_mobile = "13900001111";
  a.photo = std::string("\xFF\xD8photo\x00bytes", 13);
  a.id_front = "front";
  a.id_back = "back";
  return a;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open(); }

  std::unique_ptr<Store> open() {
    auto store = Store::open(path());
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
  std::unique_ptr<Store> store_;
};

}  // namespace cardd::db::test
