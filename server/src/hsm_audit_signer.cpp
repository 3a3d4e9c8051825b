#include "cardd/server/hsm_audit_signer.h"

#include <fmt/format.h>

#include "cardd/common/hex.h"
#include "cardd/db/error.h"

namespace cardd::server {
namespace {

constexpr std::uint32_t kMaxVersion = 999;

// The newest version the HSM holds, 0 for none.
std::uint32_t newest(hsm::Hsm& hsm) {
  std::uint32_t version = 0;
  while (version < kMaxVersion && hsm.info(audit_key_name(version + 1)).ok()) ++version;
  return version;
}

}  // namespace

std::string audit_key_name(std::uint32_t version) {
  return fmt::format("cardd.audit.mac.v{}", version);
}

Result<hsm::KeyInfo> create_audit_key(hsm::Hsm& hsm, bool rotate) {
  const std::uint32_t have = newest(hsm);
  if (have > 0 && !rotate)
    return make_error(hsm::HsmError::key_exists,
                      fmt::format("the audit key exists already (version {}); --rotate makes a "
                                  "new version",
                                  have));
  const std::uint32_t next = have + 1;
  return hsm.generate({audit_key_name(next), hsm::Algorithm::aes256, {hsm::Usage::mac}, next});
}

Result<std::unique_ptr<HsmAuditSigner>> HsmAuditSigner::open(hsm::Hsm& hsm) {
  const std::uint32_t version = newest(hsm);
  if (version == 0)
    return make_error(hsm::HsmError::key_not_found,
                      "the HSM holds no audit key: create it with `cardctl keys init-storage` "
                      "(key ceremony)");
  return std::make_unique<HsmAuditSigner>(Key{}, hsm, version);
}

Result<std::string> HsmAuditSigner::mac(std::uint32_t key_version, std::string_view message) {
  if (key_version == 0 || key_version > kMaxVersion)
    return make_error(db::DbError::unknown_audit_key,
                      fmt::format("no audit key version {}", key_version));
  const std::string name = audit_key_name(key_version);
  auto tag = hsm_->mac(
      name, hsm::MacMethod::cmac,
      hsm::ByteView(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()));
  if (!tag) {
    if (tag.error().code == hsm::HsmError::key_not_found)
      return make_error(db::DbError::unknown_audit_key,
                        fmt::format("no audit key version {}", key_version));
    return tag.error();
  }
  return to_hex(*tag);
}

}  // namespace cardd::server
