#include "cardd/hsm/ceremony.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <utility>

namespace cardd::hsm {

std::string_view to_string(CeremonyStep step) {
  switch (step) {
    case CeremonyStep::component_accepted:
      return "component_accepted";
    case CeremonyStep::key_created:
      return "key_created";
    case CeremonyStep::refused:
      return "refused";
  }
  return "unknown";
}

std::string CeremonyEvent::detail() const {
  std::string out =
      fmt::format("alg={} usage={} version={} components={}", to_string(spec.algorithm),
                  spec.usage.to_string(), spec.version, components);
  if (component != 0) out += fmt::format(" component={}", component);
  if (!kcv.empty()) out += fmt::format(" kcv={}", kcv);
  if (!component_kcvs.empty())
    out += fmt::format(" component_kcvs={}", fmt::join(component_kcvs, ","));
  if (!reason.empty()) out += fmt::format(" reason={}", reason);
  return out;
}

KeyCeremony::KeyCeremony(Hsm& hsm, KeySpec spec, int components, CeremonyAudit audit)
    : hsm_(&hsm), spec_(std::move(spec)), components_(components), audit_(std::move(audit)) {
  parts_.reserve(static_cast<std::size_t>(components_));
}

KeyCeremony::KeyCeremony(KeyCeremony&& other) noexcept
    : hsm_(other.hsm_),
      spec_(std::move(other.spec_)),
      components_(other.components_),
      audit_(std::move(other.audit_)),
      parts_(std::move(other.parts_)),
      kcvs_(std::move(other.kcvs_)),
      over_(std::exchange(other.over_, true)) {}

KeyCeremony::~KeyCeremony() {
  if (!over_) abandon(make_error(HsmError::invalid_argument, "ceremony abandoned"));
}

Result<KeyCeremony> KeyCeremony::begin(Hsm& hsm, KeySpec spec, int components,
                                       CeremonyAudit audit) {
  KeyCeremony c(hsm, std::move(spec), components, std::move(audit));
  if (components < 2 || components > 3)
    return c.refuse(
        make_error(HsmError::invalid_argument, "a key ceremony takes 2 or 3 components"), 0);
  if (!valid_key_name(c.spec_.name))
    return c.refuse(
        make_error(HsmError::invalid_argument, "key names are 1-64 of A-Z a-z 0-9 _ . : / -"), 0);
  if (c.spec_.usage.bits() == 0)
    return c.refuse(
        make_error(HsmError::invalid_argument, fmt::format("key {} has no usage", c.spec_.name)),
        0);
  auto existing = hsm.info(c.spec_.name);
  if (existing)
    return c.refuse(make_error(HsmError::key_exists, fmt::format("key {} exists", c.spec_.name)),
                    0);
  if (existing.error().code != HsmError::key_not_found) return c.refuse(existing.error(), 0);
  return c;
}

CeremonyEvent KeyCeremony::event(CeremonyStep step) const {
  CeremonyEvent e;
  e.step = step;
  e.spec = spec_;
  e.components = components_;
  return e;
}

Error KeyCeremony::refuse(Error why, int component) {
  over_ = true;
  for (auto& part : parts_) part.wipe();
  parts_.clear();
  CeremonyEvent e = event(CeremonyStep::refused);
  e.component = component;
  e.reason = why.describe();
  if (audit_) {
    if (auto s = audit_(e); !s)
      return Error{why.code, fmt::format("{} (and the refusal could not be audited: {})",
                                         why.message, s.error().describe())};
  }
  return why;
}

void KeyCeremony::abandon(const Error& why) {
  if (!over_) (void)refuse(why, 0);
}

Status KeyCeremony::check_open() const {
  if (over_) return make_error(HsmError::invalid_argument, "the ceremony is over; start again");
  return {};
}

Result<std::string> KeyCeremony::add_component_hex(std::string_view hex) {
  if (auto s = check_open(); !s) return s.error();
  auto value = parse_key_hex(spec_.algorithm, hex);
  if (!value) return refuse(value.error(), entered() + 1);
  return add_component(std::move(*value));
}

Result<std::string> KeyCeremony::add_component(SecureBytes component) {
  if (auto s = check_open(); !s) return s.error();
  const int index = entered() + 1;
  if (index > components_)
    return make_error(HsmError::invalid_argument,
                      fmt::format("this ceremony takes {} components", components_));
  const std::size_t length = key_length(spec_.algorithm);
  if (component.size() != length)
    return refuse(make_error(HsmError::invalid_argument,
                             fmt::format("component {} must be {} bytes for {}", index, length,
                                         to_string(spec_.algorithm))),
                  index);
  if (auto s = check_key_strength(spec_.algorithm, component); !s)
    return refuse(
        make_error(HsmError::weak_key, fmt::format("component {} is weak; start again", index)),
        index);
  for (std::size_t p = 0; p < parts_.size(); ++p)
    if (parts_[p].equals(component.span()))
      return refuse(make_error(HsmError::weak_key,
                               fmt::format("component {} repeats component {}", index, p + 1)),
                    index);
  auto kcv = kcv_of(spec_.algorithm, component);
  if (!kcv) return refuse(kcv.error(), index);
  CeremonyEvent e = event(CeremonyStep::component_accepted);
  e.component = index;
  e.kcv = *kcv;
  if (audit_) {
    if (auto s = audit_(e); !s) return refuse(s.error(), index);
  }
  parts_.push_back(std::move(component));
  kcvs_.push_back(*kcv);
  return kcv;
}

Result<KeyInfo> KeyCeremony::finish() {
  if (auto s = check_open(); !s) return s.error();
  if (entered() != components_)
    return refuse(make_error(HsmError::invalid_argument,
                             fmt::format("{} of {} components entered", entered(), components_)),
                  0);
  auto key = hsm_->import_components(spec_, parts_);
  if (!key) return refuse(key.error(), 0);
  over_ = true;
  for (auto& part : parts_) part.wipe();
  parts_.clear();
  CeremonyEvent e = event(CeremonyStep::key_created);
  e.spec = key->spec;
  e.kcv = key->kcv;
  e.component_kcvs = kcvs_;
  if (audit_) {
    if (auto s = audit_(e); !s)
      return Error{s.error().code,
                   fmt::format("key {} (KCV {}) was stored but its audit entry failed: {}",
                               spec_.name, key->kcv, s.error().message)};
  }
  return key;
}

}  // namespace cardd::hsm
