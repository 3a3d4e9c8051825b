#include "sealed_store.h"

#include <iostream>

#include "cli_support.h"

namespace cardd::cardctl {

int open_store_with_keys(const std::string& db_path, bool create, bool with_sealer,
                         SealedStore& out) {
  if (with_sealer) {
    auto sealer = server::HsmSealer::open(*out.hsm);
    if (!sealer) {
      std::cerr << "cardctl: " << sealer.error().describe() << "\n";
      return 1;
    }
    out.sealer = std::move(*sealer);
  }
  auto signer = server::HsmAuditSigner::open(*out.hsm);
  if (!signer) {
    std::cerr << "cardctl: " << signer.error().describe() << "\n";
    return 1;
  }
  out.signer = std::move(*signer);
  int rc = 0;
  out.store = open_store(db_path, OpenStore{create, out.sealer.get(), out.signer.get()}, rc);
  return out.store ? 0 : rc;
}

int open_sealed_store(const HsmOptions& hsm_options, const std::string& db_path, bool create,
                      SealedStore& out) {
  if (!create)
    if (const int rc = check_database_exists(db_path); rc != 0) return rc;
  out.hsm = hsm_options.open();
  if (!out.hsm) return 1;
  return open_store_with_keys(db_path, create, true, out);
}

int open_audited_store(const HsmOptions& hsm_options, const std::string& db_path, bool create,
                       SealedStore& out) {
  // A mistyped --db is said as such, before the HSM is asked for anything.
  if (!create)
    if (const int rc = check_database_exists(db_path); rc != 0) return rc;
  out.hsm = hsm_options.open();
  if (!out.hsm) return 1;
  return open_store_with_keys(db_path, create, false, out);
}

}  // namespace cardd::cardctl
