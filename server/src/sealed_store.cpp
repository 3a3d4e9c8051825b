#include "cardd/server/sealed_store.h"

namespace cardd::server {

Status open_keyed_store(const std::string& db_path, bool create, bool with_sealer,
                        SealedStore& out) {
  if (with_sealer) {
    auto sealer = HsmSealer::open(*out.hsm);
    if (!sealer) return sealer.error();
    out.sealer = std::move(*sealer);
  }
  auto signer = HsmAuditSigner::open(*out.hsm);
  if (!signer) return signer.error();
  out.signer = std::move(*signer);
  db::StoreOptions options;
  options.create_if_missing = create;
  options.sealer = out.sealer.get();
  options.audit_signer = out.signer.get();
  auto store = db::Store::open(db_path, options);
  if (!store) return store.error();
  out.store = std::move(*store);
  return {};
}

}  // namespace cardd::server
