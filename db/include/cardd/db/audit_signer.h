// The seam through which the audit log gets its MACs: the store decides what
// an entry and the chain's head are (length-prefixed fields, db/audit.h);
// the signer (HSM-backed in production: server/hsm_audit_signer.h) computes
// a MAC under a key the database never sees. Whoever can write the file but
// not use the key cannot forge an entry or the anchored head.
//
// Contract:
// - mac(version, message) is deterministic for a key version: the same
//   message gives the same hex text. Printable (hex), at most 64 characters.
// - key_version() names the version new entries are MACed under (>= 1);
//   older versions keep answering mac() so older entries still verify.
// - mac() fails with DbError::unknown_audit_key for a version it does not
//   hold (verification reports that entry as broken); other errors are the
//   HSM's and stop verification.
//
// Thread safety: implementations must allow calls from several threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cardd/common/result.h"

namespace cardd::db {

class AuditSigner {
 public:
  virtual ~AuditSigner() = default;

  virtual std::uint32_t key_version() const = 0;
  virtual Result<std::string> mac(std::uint32_t key_version, std::string_view message) = 0;
};

}  // namespace cardd::db
