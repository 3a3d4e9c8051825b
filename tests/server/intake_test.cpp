#include "cardd/server/intake.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cardd/testdata/generator.h"
#include "child_process.h"
#include "regions.h"
#include "soft_sealer.h"
#include "test_places.h"

namespace cardd::server {
namespace {

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = sealer_.open_store((dir_.path() / "cardd.db").string());
    ASSERT_NE(store_, nullptr);
    intake_ = std::make_unique<Intake>(*store_, cardd::test::validator_options());
  }

  std::vector<IntakeItem> ingest(const std::vector<std::string>& docs) {
    std::vector<std::string_view> views(docs.begin(), docs.end());
    auto r = intake_->ingest(views, IntakeSource{"file:test.jsonl", "tester", std::nullopt, ""});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
    return r.ok() ? *r : std::vector<IntakeItem>{};
  }

  static IntakeSummary summarize(const std::vector<IntakeItem>& items) {
    IntakeSummary s;
    for (const auto& i : items) s.add(i.outcome);
    return s;
  }

  test::TempDir dir_;
  test::SoftSealer sealer_{dir_.path()};
  std::unique_ptr<db::Store> store_;
  std::unique_ptr<Intake> intake_;
};

TEST_F(IntakeTest, StoresValidAndRejectsInvalidWithoutStoppingTheBatch) {
  const testdata::Generator gen(cardd::test::generator_options(5, 0.3, true, "IN"));
  std::vector<std::string> docs;
  std::int64_t expected_valid = 0;
  for (std::uint64_t i = 0; i < 120; ++i) {
    auto app = gen.make(i);
    expected_valid += app.expected_error.empty() ? 1 : 0;
    docs.push_back(std::move(app.json));
  }
  docs.push_back("definitely not json");
  const auto items = ingest(docs);
  const IntakeSummary s = summarize(items);
  EXPECT_EQ(s.validated, expected_valid);
  EXPECT_EQ(s.rejected, 120 - expected_valid)
      << "malformed lines keep their salvaged id and are rejected";
  EXPECT_EQ(s.unidentified, 1);
  auto counts = store_->count_by_state();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[db::AppState::validated], expected_valid);
  EXPECT_EQ((*counts)[db::AppState::rejected], 120 - expected_valid);
}

TEST_F(IntakeTest, ReingestingIsANoOpAndChangedContentIsAConflict) {
  const testdata::Generator gen(cardd::test::generator_options(6, 0.0, false, "RE"));
  std::vector<std::string> docs{gen.make(0).json, gen.make(1).json};
  ingest(docs);
  const auto again = summarize(ingest(docs));
  EXPECT_EQ(again.duplicate, 2);
  auto changed = nlohmann::json::parse(docs[1]);
  changed["residence_address"] = "北京市西城区金融大街1号";
  const auto conflict = ingest({changed.dump()});
  ASSERT_EQ(conflict.size(), 1u);
  EXPECT_EQ(conflict[0].outcome, IntakeOutcome::conflict);
  auto status = store_->status(changed["application_id"].get<std::string>());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(store_->sensitive(changed["application_id"].get<std::string>(), "test", "test")
                ->residence_address,
            nlohmann::json::parse(docs[1])["residence_address"]);
}

TEST_F(IntakeTest, StoredDataMatchesTheApplication) {
  const testdata::Generator gen(cardd::test::generator_options(7, 0.0, false, "SD"));
  const auto app = gen.make(3);
  ingest({app.json});
  const auto source = nlohmann::json::parse(app.json);
  auto status = store_->status(app.application_id);
  ASSERT_TRUE(status.ok());
  ASSERT_TRUE(status->details.has_value());
  EXPECT_EQ(db::to_string(status->details->collection), source["collection"]);
  EXPECT_EQ(status->details->birth_date.to_iso(), source["birth_date"]);
  auto sensitive = store_->sensitive(app.application_id, "test", "compare with the source");
  ASSERT_TRUE(sensitive.ok()) << sensitive.error().describe();
  EXPECT_EQ(sensitive->name, source["name"]);
  std::string id = source["id_number"];
  if (id.back() == 'x') id.back() = 'X';
  EXPECT_EQ(sensitive->id_number, id);
  EXPECT_EQ(sensitive->mobile, source["mobile"]);
  EXPECT_GE(sensitive->photo.size(), 20u * 1024u);
}

TEST_F(IntakeTest, LogsCarryNoIdNumbersOrPhoneNumbers) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  const testdata::Generator gen(cardd::test::generator_options(8, 0.5, true, "PII"));
  std::vector<std::string> docs;
  for (std::uint64_t i = 0; i < 80; ++i) docs.push_back(gen.make(i).json);
  ingest(docs);
  ingest(docs);
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  ASSERT_FALSE(log.empty()) << "rejections are logged, so the check below has something to look at";
  for (const auto& doc : docs) {
    const auto j = nlohmann::json::parse(doc, nullptr, false);
    if (j.is_discarded()) continue;
    for (const char* field : {"id_number", "mobile"}) {
      if (!j.contains(field) || !j[field].is_string()) continue;
      const std::string value = j[field];
      if (value.size() >= 8) {
        EXPECT_EQ(log.find(value), std::string::npos) << field << " leaked";
      }
    }
  }
}

}  // namespace
}  // namespace cardd::server

namespace cardd::server {
namespace {

TEST_F(IntakeTest, PipelineStoresEveryBatchInOrderWithItsTags) {
  const testdata::Generator gen(cardd::test::generator_options(12, 0.2, true, "PL"));
  IntakePipeline pipeline(*intake_, IntakeSource{"file:p.jsonl", "tester", std::nullopt, ""});
  std::vector<std::string> expected_ids;
  std::vector<IntakePipeline::Stored> stored;
  auto keep = [&](Result<std::optional<IntakePipeline::Stored>> r) {
    ASSERT_TRUE(r.ok()) << r.error().describe();
    if (*r) stored.push_back(std::move(**r));
  };
  std::uint64_t index = 0;
  for (int batch = 0; batch < 4; ++batch) {
    std::vector<std::string> docs;
    std::vector<std::int64_t> tags;
    for (int i = 0; i < 40; ++i, ++index) {
      auto app = gen.make(index);
      expected_ids.push_back(app.application_id);
      docs.push_back(std::move(app.json));
      tags.push_back(static_cast<std::int64_t>(index));
    }
    keep(pipeline.push(std::move(docs), std::move(tags)));
  }
  keep(pipeline.finish());
  ASSERT_EQ(stored.size(), 4u);
  std::size_t n = 0;
  for (const auto& batch : stored) {
    ASSERT_EQ(batch.items.size(), batch.tags.size());
    for (std::size_t i = 0; i < batch.items.size(); ++i, ++n) {
      EXPECT_EQ(batch.tags[i], static_cast<std::int64_t>(n));
      EXPECT_EQ(batch.items[i].application_id, expected_ids[n]);
      EXPECT_NE(batch.items[i].outcome, IntakeOutcome::duplicate);
    }
  }
  EXPECT_EQ(n, 160u);
  auto counts = store_->count_by_state();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[db::AppState::validated] + (*counts)[db::AppState::rejected], 160);
}

TEST_F(IntakeTest, ParallelValidationGivesTheSameOutcomesAsOneThread) {
  const testdata::Generator gen(cardd::test::generator_options(13, 0.3, true, "PV"));
  std::vector<std::string> docs;
  for (std::uint64_t i = 0; i < 100; ++i) docs.push_back(gen.make(i).json);
  const std::vector<std::string_view> views(docs.begin(), docs.end());
  Intake single(*store_, cardd::test::validator_options(), 1);
  Intake many(*store_, cardd::test::validator_options(), 4);
  const PreparedBatch a = single.prepare(views, "x");
  const PreparedBatch b = many.prepare(views, "x");
  ASSERT_EQ(a.items.size(), b.items.size());
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].application_id, b.records[i].application_id);
    EXPECT_EQ(a.records[i].content_hash, b.records[i].content_hash);
    EXPECT_EQ(a.records[i].rejection, b.records[i].rejection);
  }
}

}  // namespace
}  // namespace cardd::server
