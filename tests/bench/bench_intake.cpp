// Intake throughput: validate only, validate + store, and as the baseline the
// same rows inserted with bare SQLite calls. Prints the ratios at the end.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_store.h"
#include "bench_support.h"
#include "cardd/db/store.h"
#include "cardd/server/intake.h"
#include "cardd/testdata/generator.h"
#include "regions.h"
#include "test_places.h"

namespace {

namespace fs = std::filesystem;
using cardd::server::Intake;
using cardd::server::IntakeSource;

constexpr std::size_t kApplications = 2000;
constexpr std::size_t kBatch = 256;

const std::vector<std::string>& documents() {
  static const std::vector<std::string> docs = [] {
    const cardd::testdata::Generator gen(cardd::test::generator_options(1, 0.0, false, "BENCH"));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < kApplications; ++i) out.push_back(gen.make(i).json);
    return out;
  }();
  return docs;
}

void store_all(cardd::db::Store& store) {
  Intake intake(store, cardd::test::validator_options());
  const auto& docs = documents();
  for (std::size_t i = 0; i < docs.size(); i += kBatch) {
    std::vector<std::string_view> batch(
        docs.begin() + static_cast<std::ptrdiff_t>(i),
        docs.begin() + static_cast<std::ptrdiff_t>(std::min(docs.size(), i + kBatch)));
    auto r = intake.ingest(batch, IntakeSource{"bench", "bench", std::nullopt, ""});
    if (!r) std::fprintf(stderr, "ingest failed: %s\n", r.error().describe().c_str());
  }
}

void ValidateOnly(benchmark::State& state) {
  cardd::intake::ApplicationValidator validator;
  const auto& docs = documents();
  for (auto _ : state) {
    for (const auto& d : docs) benchmark::DoNotOptimize(validator.validate(d));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(docs.size()));
}

void ValidateAndStore(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path db = cardd::bench::fresh_path("db");
    auto store = cardd::db::Store::open(db.string(), cardd::bench::sealed_store_options());
    state.ResumeTiming();
    store_all(**store);
    state.PauseTiming();
    store->reset();
    cardd::bench::remove_db(db);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(documents().size()));
}

// The rows cardd writes for these applications, read back from a store, so
// the baseline inserts exactly the same bytes.
struct ValueFree {
  void operator()(sqlite3_value* v) const { sqlite3_value_free(v); }
};
using Value = std::unique_ptr<sqlite3_value, ValueFree>;
using Table = std::vector<std::vector<Value>>;

struct Rows {
  std::string schema;
  Table applications;  // column values with their SQLite types
  Table images;
};

Table read_table(sqlite3* db, const char* table) {
  Table rows;
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, (std::string("SELECT * FROM ") + table).c_str(), -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<Value> row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c)
      row.emplace_back(sqlite3_value_dup(sqlite3_column_value(stmt, c)));
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return rows;
}

const Rows& rows() {
  static const Rows r = [] {
    Rows out;
    const fs::path path = cardd::bench::fresh_path("db");
    {
      auto store = cardd::db::Store::open(path.string(), cardd::bench::sealed_store_options());
      store_all(**store);
    }
    sqlite3* db = nullptr;
    sqlite3_open(path.string().c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(
        db, "SELECT sql FROM sqlite_master WHERE name IN ('applications', 'application_images')",
        -1, &stmt, nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW)
      out.schema +=
          std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) + ";\n";
    sqlite3_finalize(stmt);
    out.applications = read_table(db, "applications");
    out.images = read_table(db, "application_images");
    sqlite3_close(db);
    cardd::bench::remove_db(path);
    return out;
  }();
  return r;
}

void insert_rows(sqlite3* db, const char* sql, const Table& table, std::size_t from,
                 std::size_t to) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  for (std::size_t i = from; i < to && i < table.size(); ++i) {
    for (std::size_t c = 0; c < table[i].size(); ++c)
      sqlite3_bind_value(stmt, static_cast<int>(c + 1), table[i][c].get());
    if (sqlite3_step(stmt) != SQLITE_DONE)
      std::fprintf(stderr, "baseline insert failed: %s\n", sqlite3_errmsg(db));
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
}

void RawSqliteInsert(benchmark::State& state) {
  const Rows& r = rows();
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path path = cardd::bench::fresh_path("db");
    sqlite3* db = nullptr;
    sqlite3_open(path.string().c_str(), &db);
    // The same settings Store::open uses.
    sqlite3_exec(db,
                 "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
                 nullptr, nullptr, nullptr);
    sqlite3_exec(db, r.schema.c_str(), nullptr, nullptr, nullptr);
    state.ResumeTiming();
    for (std::size_t i = 0; i < r.applications.size(); i += kBatch) {
      sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
      insert_rows(db, "INSERT INTO applications VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", r.applications,
                  i, i + kBatch);
      insert_rows(db, "INSERT INTO application_images VALUES (?,?,?,?)", r.images, i, i + kBatch);
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    state.PauseTiming();
    sqlite3_close(db);
    cardd::bench::remove_db(path);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(r.applications.size()));
}

BENCHMARK(ValidateOnly)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ValidateAndStore)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(RawSqliteInsert)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  (void)rows();  // build the baseline rows before timing anything
  const auto rates = cardd::bench::run_benchmarks(argc, argv);
  std::printf("\nintake, %zu applications of ~%zu KB each:\n", kApplications,
              documents().front().size() / 1024);
  cardd::bench::print_ratio(rates, "ValidateAndStore", "RawSqliteInsert", 0.5);
  for (const char* name : {"ValidateOnly", "ValidateAndStore"}) {
    const auto it = rates.find(name);
    if (it != rates.end())
      std::printf("%-28s %10.0f/s (target >= 10000/s) %s\n", name, it->second,
                  it->second >= 10000 ? "ok" : "BELOW TARGET");
  }
  return 0;
}
