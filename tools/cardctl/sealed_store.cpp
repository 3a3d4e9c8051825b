#include "sealed_store.h"

#include <iostream>

#include "cli_support.h"

namespace cardd::cardctl {

int open_sealed_store(const HsmOptions& hsm_options, const std::string& db_path, bool create,
                      SealedStore& out) {
  out.hsm = hsm_options.open();
  if (!out.hsm) return 1;
  auto sealer = server::HsmSealer::open(*out.hsm);
  if (!sealer) {
    std::cerr << "cardctl: " << sealer.error().describe() << "\n";
    return 1;
  }
  out.sealer = std::move(*sealer);
  int rc = 0;
  out.store = open_store(db_path, OpenStore{create, out.sealer.get()}, rc);
  return out.store ? 0 : rc;
}

}  // namespace cardd::cardctl
