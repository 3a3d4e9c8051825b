// The audit log's MAC key in the HSM (db/audit_signer.h): AES-256, usage
// {mac} only, "cardd.audit.mac.v1", "cardd.audit.mac.v2", ... AES-CMAC,
// printed as hex. New entries are MACed under the newest version; every
// older version stays in the HSM so older entries still verify.
//
// The key is created by the operator with the storage keys (`cardctl keys
// init-storage`, a new version with --rotate), never on first use.
//
// Thread safety: as the Hsm.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/audit_signer.h"
#include "cardd/hsm/hsm.h"

namespace cardd::server {

std::string audit_key_name(std::uint32_t version);

// Creates version 1 when the HSM holds no audit key, else (rotate) the next
// version. Errors: key_exists (a key is there and rotate is false), the HSM's.
Result<hsm::KeyInfo> create_audit_key(hsm::Hsm& hsm, bool rotate);

class HsmAuditSigner final : public db::AuditSigner {
 public:
  // Finds the newest version. key_not_found, naming the command that
  // creates it, when the HSM holds no audit key.
  static Result<std::unique_ptr<HsmAuditSigner>> open(hsm::Hsm& hsm);

  std::uint32_t key_version() const override { return version_; }
  // Errors: db.unknown_audit_key for a version the HSM does not hold, the HSM's.
  Result<std::string> mac(std::uint32_t key_version, std::string_view message) override;

  // Only open() can make the key, so only open() constructs a signer.
  class Key {
    friend class HsmAuditSigner;
    Key() = default;
  };
  HsmAuditSigner(Key, hsm::Hsm& hsm, std::uint32_t version) : hsm_(&hsm), version_(version) {}

 private:
  hsm::Hsm* hsm_;
  std::uint32_t version_;
};

}  // namespace cardd::server
