// Intake throughput: validate only, validate + store, and as the baseline the
// same rows inserted with bare SQLite calls. Prints the ratios at the end.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.h"
#include "cardd/db/store.h"
#include "cardd/hsm/factory.h"
#include "cardd/server/hsm_audit_signer.h"
#include "cardd/server/hsm_sealer.h"
#include "cardd/server/intake.h"
#include "cardd/testdata/generator.h"
#include "regions.h"
#include "secret_file.h"
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

class ScratchDir {
 public:
  ScratchDir() : path_(fs::temp_directory_path() / ("cardd-bench-" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  fs::path fresh_db() {
    const fs::path p = path_ / ("db-" + std::to_string(counter_++) + ".sqlite");
    return p;
  }

 private:
  fs::path path_;
  int counter_ = 0;
};

ScratchDir& scratch() {
  static ScratchDir dir;
  return dir;
}

// cardd seals personal data on the way in and MACs its audit entries: the
// soft HSM's storage and audit keys.
struct Soft {
  std::unique_ptr<cardd::hsm::Hsm> hsm;
  std::unique_ptr<cardd::server::HsmSealer> sealer;
  std::unique_ptr<cardd::server::HsmAuditSigner> signer;
};

const Soft& soft_keys() {
  static const Soft soft = [] {
    Soft s;
    const fs::path dir = scratch().fresh_db().string() + "-keys";
    fs::create_directories(dir);
    cardd::test::write_secret_file(dir / "passphrase", "bench keystore");
    cardd::hsm::HsmConfig config;
    config.soft.keystore_path = (dir / "keys.cks").string();
    config.soft.create = true;
    config.soft.passphrase_file = (dir / "passphrase").string();
    s.hsm = std::move(*cardd::hsm::open_hsm(config));
    (void)cardd::server::create_storage_keys(*s.hsm, false);
    s.sealer = std::move(*cardd::server::HsmSealer::open(*s.hsm));
    (void)cardd::server::create_audit_key(*s.hsm, false);
    s.signer = std::move(*cardd::server::HsmAuditSigner::open(*s.hsm));
    return s;
  }();
  return soft;
}

cardd::db::StoreOptions sealed() {
  cardd::db::StoreOptions options;
  options.create_if_missing = true;
  options.sealer = soft_keys().sealer.get();
  options.audit_signer = soft_keys().signer.get();
  return options;
}

void remove_db(const fs::path& p) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
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
    const fs::path db = scratch().fresh_db();
    auto store = cardd::db::Store::open(db.string(), sealed());
    state.ResumeTiming();
    store_all(**store);
    state.PauseTiming();
    store->reset();
    remove_db(db);
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
    const fs::path path = scratch().fresh_db();
    {
      auto store = cardd::db::Store::open(path.string(), sealed());
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
    remove_db(path);
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
    const fs::path path = scratch().fresh_db();
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
    remove_db(path);
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
