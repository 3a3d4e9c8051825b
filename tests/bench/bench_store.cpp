#include "bench_store.h"

#include <unistd.h>

#include <memory>

#include "cardd/hsm/factory.h"
#include "cardd/server/hsm_audit_signer.h"
#include "cardd/server/hsm_sealer.h"
#include "secret_file.h"

namespace cardd::bench {
namespace {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() : path_(fs::temp_directory_path() / ("cardd-bench-" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  fs::path next(const std::string& stem) { return path_ / (stem + "-" + std::to_string(n_++)); }

 private:
  fs::path path_;
  int n_ = 0;
};

ScratchDir& scratch() {
  static ScratchDir dir;
  return dir;
}

struct Soft {
  std::unique_ptr<hsm::Hsm> hsm;
  std::unique_ptr<server::HsmSealer> sealer;
  std::unique_ptr<server::HsmAuditSigner> signer;
};

const Soft& soft_keys() {
  static const Soft soft = [] {
    Soft s;
    const fs::path dir = scratch().next("keys");
    fs::create_directories(dir);
    test::write_secret_file(dir / "passphrase", "bench keystore");
    hsm::HsmConfig config;
    config.soft.keystore_path = (dir / "keys.cks").string();
    config.soft.create = true;
    config.soft.passphrase_file = (dir / "passphrase").string();
    s.hsm = std::move(*hsm::open_hsm(config));
    (void)server::create_storage_keys(*s.hsm, false);
    s.sealer = std::move(*server::HsmSealer::open(*s.hsm));
    (void)server::create_audit_key(*s.hsm, false);
    s.signer = std::move(*server::HsmAuditSigner::open(*s.hsm));
    return s;
  }();
  return soft;
}

}  // namespace

fs::path fresh_path(const std::string& stem) { return scratch().next(stem); }

db::StoreOptions sealed_store_options() {
  db::StoreOptions options;
  options.create_if_missing = true;
  options.sealer = soft_keys().sealer.get();
  options.audit_signer = soft_keys().signer.get();
  return options;
}

hsm::Hsm& soft_hsm() { return *soft_keys().hsm; }

void remove_db(const fs::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
}

}  // namespace cardd::bench
