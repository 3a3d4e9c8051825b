// The key ceremony: a key entered as 2 or 3 clear components, each held by a
// different custodian, combined (XOR) inside the HSM.
//
// The rules live here so every front end (cardctl today, a service later)
// applies the same ones: the key name must be free; each component must have
// the algorithm's length, must not be weak, all zero or equal to an earlier one;
// each component's KCV is shown before the next custodian types theirs; the
// combined key's KCV ends the ceremony. A refused component ends the ceremony:
// the custodians start again, as a paper ceremony would.
//
// Every step goes to an audit hook the caller provides (the database's audit
// log in cardctl), so this module stays ignorant of where audit lives. Events
// carry names, counts, KCVs and reasons, never key bytes.
//
// Thread safety: one ceremony is used by one thread at a time.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/hsm/secure_bytes.h"
#include "cardd/hsm/types.h"

namespace cardd::hsm {

enum class CeremonyStep {
  component_accepted,  // `component` and its `kcv`
  key_created,         // the key's `kcv`; `component_kcvs` lists every component's
  refused,             // `reason`; `component` when a component was refused (0 otherwise)
};
std::string_view to_string(CeremonyStep step);

struct CeremonyEvent {
  CeremonyStep step = CeremonyStep::refused;
  KeySpec spec;
  int components = 0;  // how many the ceremony takes
  int component = 0;   // 1-based; 0 when the step is not about one component
  std::string kcv;
  std::vector<std::string> component_kcvs;
  std::string reason;  // Error::describe() of a refusal

  // "alg=aes128 usage=unwrap version=1 components=2 component=1 kcv=C35280 …":
  // what an audit entry records. Never contains key bytes.
  std::string detail() const;
};

// Records one step. A failing hook stops the ceremony: a step that cannot be
// audited does not happen (except key_created, see finish()).
using CeremonyAudit = std::function<Status(const CeremonyEvent&)>;

class KeyCeremony {
 public:
  // Refused (and audited) when the spec or the number of components (2 or 3)
  // is invalid (invalid_argument) or the name is taken (key_exists).
  static Result<KeyCeremony> begin(Hsm& hsm, KeySpec spec, int components, CeremonyAudit audit);

  KeyCeremony(KeyCeremony&& other) noexcept;
  KeyCeremony& operator=(KeyCeremony&&) = delete;
  KeyCeremony(const KeyCeremony&) = delete;
  KeyCeremony& operator=(const KeyCeremony&) = delete;
  // A ceremony dropped before finish() or a refusal is audited as abandoned.
  ~KeyCeremony();

  // Checks the next component and keeps it (in wiping memory); returns its KCV.
  // weak_key for a weak, all-zero or repeated component, invalid_argument for a
  // wrong length; either ends the ceremony.
  Result<std::string> add_component(SecureBytes component);
  // As add_component, from hex typed by a custodian (spaces, ':' and '-' allowed).
  Result<std::string> add_component_hex(std::string_view hex);
  // Ends the ceremony as refused for a reason found by the caller (e.g. the
  // input ended before every component was typed).
  void abandon(const Error& why);

  // Once every component is in: combines them in the HSM and returns the key.
  // If the audit hook fails after the key was stored, the hook's error is
  // returned and names the stored key and its KCV.
  Result<KeyInfo> finish();

  int components() const { return components_; }
  int entered() const { return static_cast<int>(parts_.size()); }
  const KeySpec& spec() const { return spec_; }

 private:
  KeyCeremony(Hsm& hsm, KeySpec spec, int components, CeremonyAudit audit);
  CeremonyEvent event(CeremonyStep step) const;
  Error refuse(Error why, int component);
  Status check_open() const;

  Hsm* hsm_;
  KeySpec spec_;
  int components_;
  CeremonyAudit audit_;
  std::vector<SecureBytes> parts_;
  std::vector<std::string> kcvs_;
  bool over_ = false;
};

}  // namespace cardd::hsm
