// HSM throughput per backend, side by side: key derivations/s, CMACs/s, and
// one card's full key set (8 diversified keys, each wrapped for export).
// pkcs11 runs against a SoftHSM2 token made for the run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "bench_support.h"
#include "cardd/hsm/factory.h"
#include "secret_file.h"

namespace {

namespace fs = std::filesystem;
using namespace cardd::hsm;

const fs::path& scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("cardd-bench-hsm-" + std::to_string(::getpid()));
    fs::create_directories(d / "tokens");
    cardd::test::write_secret_file(d / "secret", "bench");
    return d;
  }();
  return dir;
}

std::string softhsm_token() {
  const fs::path conf = scratch() / "softhsm2.conf";
  std::ofstream(conf) << "directories.tokendir = " << (scratch() / "tokens").string()
                      << "\nobjectstore.backend = file\nlog.level = ERROR\n";
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  const std::string cmd =
      "softhsm2-util --init-token --free --label cardd --pin bench --so-pin bench-so >/dev/null "
      "2>&1";
  return std::system(cmd.c_str()) == 0 ? "" : "softhsm2-util failed";
}

std::map<std::string, std::unique_ptr<Hsm>>& backends() {
  static std::map<std::string, std::unique_ptr<Hsm>> all = [] {
    std::map<std::string, std::unique_ptr<Hsm>> out;
    HsmConfig soft;
    soft.soft.keystore_path = (scratch() / "keys.cks").string();
    soft.soft.create = true;
    soft.soft.passphrase_file = (scratch() / "secret").string();
    if (auto h = open_hsm(soft)) out["soft"] = std::move(*h);
    if (softhsm_token().empty()) {
      HsmConfig p11;
      p11.backend = "pkcs11";
      p11.pkcs11.pin_file = (scratch() / "secret").string();
      if (auto h = open_hsm(p11))
        out["pkcs11"] = std::move(*h);
      else
        std::fprintf(stderr, "pkcs11 backend unavailable: %s\n", h.error().describe().c_str());
    }
    for (auto& [name, h] : out) {
      (void)h->generate(KeySpec{"master", Algorithm::des3_2key, {Usage::derive}, 1});
      (void)h->generate(KeySpec{"dek", Algorithm::des3_2key, {Usage::wrap}, 1});
      (void)h->generate(KeySpec{"mac", Algorithm::aes128, {Usage::mac}, 1});
    }
    return out;
  }();
  return all;
}

Hsm* backend(benchmark::State& state, const std::string& name) {
  auto it = backends().find(name);
  if (it == backends().end()) state.SkipWithError("backend unavailable");
  return it == backends().end() ? nullptr : it->second.get();
}

void Derive(benchmark::State& state, const std::string& name) {
  Hsm* h = backend(state, name);
  if (h == nullptr) return;
  std::uint64_t n = 0;
  for (auto _ : state) {
    const std::string key = "d/" + std::to_string(n++);
    Bytes data(16, 0);
    data[7] = static_cast<std::uint8_t>(n);
    auto k = h->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, data},
                       KeySpec{key, Algorithm::des3_2key, {Usage::mac}, 1});
    if (!k) state.SkipWithError(k.error().describe().c_str());
    (void)h->destroy(key);
  }
  state.SetItemsProcessed(state.iterations());
}

void Cmac(benchmark::State& state, const std::string& name) {
  Hsm* h = backend(state, name);
  if (h == nullptr) return;
  const Bytes data(64, 0x5A);
  for (auto _ : state) benchmark::DoNotOptimize(h->mac("mac", MacMethod::cmac, data));
  state.SetItemsProcessed(state.iterations());
}

// The eight per-card keys of the default profile: secure channel ENC/MAC/DEK,
// internal and external authentication, PIN unlock, PIN reload, maintenance.
void CardKeySet(benchmark::State& state, const std::string& name) {
  Hsm* h = backend(state, name);
  if (h == nullptr) return;
  std::uint64_t card = 0;
  for (auto _ : state) {
    ++card;
    for (std::uint8_t k = 1; k <= 8; ++k) {
      const std::string key = "card/" + std::to_string(card) + "/" + std::to_string(k);
      Bytes data{0,
                 0,
                 0,
                 static_cast<std::uint8_t>(card >> 8),
                 static_cast<std::uint8_t>(card),
                 0xF0,
                 k,
                 0,
                 0,
                 0,
                 0,
                 static_cast<std::uint8_t>(card >> 8),
                 static_cast<std::uint8_t>(card),
                 0x0F,
                 k,
                 0};
      auto derived = h->derive("master", EncryptDataDerivation{CipherMode::ecb, {}, data},
                               KeySpec{key, Algorithm::des3_2key, {Usage::mac}, 1});
      if (!derived) state.SkipWithError(derived.error().describe().c_str());
      benchmark::DoNotOptimize(h->wrap("dek", CipherMode::cbc, key));
      (void)h->destroy(key);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  for (const std::string name : {"soft", "pkcs11"}) {
    benchmark::RegisterBenchmark(("Derive/" + name).c_str(), Derive, name);
    benchmark::RegisterBenchmark(("Cmac/" + name).c_str(), Cmac, name);
    benchmark::RegisterBenchmark(("CardKeySet/" + name).c_str(), CardKeySet, name);
  }
  (void)backends();
  const auto rates = cardd::bench::run_benchmarks(argc, argv);
  std::printf("\n%-12s %14s %14s %18s\n", "backend", "derives/s", "CMACs/s", "card key set (ms)");
  for (const std::string name : {"soft", "pkcs11"}) {
    const auto d = rates.find("Derive/" + name), m = rates.find("Cmac/" + name),
               c = rates.find("CardKeySet/" + name);
    if (d == rates.end() || m == rates.end() || c == rates.end()) {
      std::printf("%-12s %14s\n", name.c_str(), "unavailable");
      continue;
    }
    std::printf("%-12s %14.0f %14.0f %18.3f\n", name.c_str(), d->second, m->second,
                1000.0 / c->second);
  }
  backends().clear();
  fs::remove_all(scratch());
  return 0;
}
