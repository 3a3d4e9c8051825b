#include "cardd/hsm/types.h"

#include <array>
#include <utility>

namespace cardd::hsm {
namespace {

constexpr std::array<std::pair<Algorithm, std::string_view>, 6> kAlgorithms = {{
    {Algorithm::des3_2key, "3des-2key"},
    {Algorithm::des3_3key, "3des-3key"},
    {Algorithm::aes128, "aes128"},
    {Algorithm::aes192, "aes192"},
    {Algorithm::aes256, "aes256"},
    {Algorithm::sm4, "sm4"},
}};

constexpr std::array<std::pair<Usage, std::string_view>, 6> kUsages = {{
    {Usage::encrypt, "encrypt"},
    {Usage::decrypt, "decrypt"},
    {Usage::mac, "mac"},
    {Usage::derive, "derive"},
    {Usage::wrap, "wrap"},
    {Usage::unwrap, "unwrap"},
}};

}  // namespace

std::string_view to_string(Algorithm a) {
  for (const auto& [alg, name] : kAlgorithms)
    if (alg == a) return name;
  return "?";
}

std::optional<Algorithm> algorithm_from_string(std::string_view s) {
  for (const auto& [alg, name] : kAlgorithms)
    if (name == s) return alg;
  return std::nullopt;
}

std::size_t key_length(Algorithm a) {
  switch (a) {
    case Algorithm::des3_2key:
      return 16;
    case Algorithm::des3_3key:
      return 24;
    case Algorithm::aes128:
      return 16;
    case Algorithm::aes192:
      return 24;
    case Algorithm::aes256:
      return 32;
    case Algorithm::sm4:
      return 16;
  }
  return 0;
}

bool is_des(Algorithm a) { return a == Algorithm::des3_2key || a == Algorithm::des3_3key; }
std::size_t block_size(Algorithm a) { return is_des(a) ? 8 : 16; }

std::string_view to_string(Usage u) {
  for (const auto& [usage, name] : kUsages)
    if (usage == u) return name;
  return "?";
}

std::string UsageSet::to_string() const {
  std::string out;
  for (const auto& [usage, name] : kUsages) {
    if (!allows(usage)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::optional<UsageSet> UsageSet::parse(std::string_view text) {
  UsageSet set;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    bool known = false;
    for (const auto& [usage, name] : kUsages)
      if (name == item) {
        set.bits_ |= static_cast<std::uint32_t>(usage);
        known = true;
      }
    if (!known) return std::nullopt;
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  if (set.bits_ == 0) return std::nullopt;
  return set;
}

namespace {

bool is_subset(UsageSet a, UsageSet of) { return (a.bits() & ~of.bits()) == 0; }

constexpr UsageSet kCipher{Usage::encrypt, Usage::decrypt};

}  // namespace

std::string policy_violation(const KeySpec& spec) {
  const UsageSet u = spec.usage;
  const bool cipher = u.bits() != 0 && is_subset(u, kCipher);
  const bool single = cipher || u == UsageSet{Usage::mac} || u == UsageSet{Usage::derive} ||
                      u == UsageSet{Usage::wrap} || u == UsageSet{Usage::unwrap};
  if (!single)
    return "usage '" + u.to_string() +
           "' mixes purposes; a key has one: encrypt/decrypt, mac, derive, wrap or unwrap";
  if (spec.exportable && !(cipher || u == UsageSet{Usage::mac}))
    return "only cipher and MAC keys may be exportable; master and transport keys never leave";
  if (!u.allows(Usage::derive) && spec.derives != DeriveTemplate{})
    return "only derive keys take a derive template";
  if (spec.derives.usage.allows(Usage::unwrap))
    return "derived keys may not be transport (unwrap) keys";
  return {};
}

KeySpec normalized(KeySpec spec) {
  if (spec.usage.allows(Usage::derive) && spec.derives.usage.bits() == 0) {
    const bool exportable = spec.derives.exportable;
    spec.derives = kDefaultDeriveTemplate;
    spec.derives.exportable = exportable;
  }
  return spec;
}

std::uint32_t pack_policy(const KeySpec& spec) {
  return (spec.usage.bits() & 0xFF) | (spec.exportable ? 1u << 8 : 0u) |
         (spec.derives.usage.bits() & 0xFF) << 16 | (spec.derives.exportable ? 1u << 24 : 0u);
}

void unpack_policy(std::uint32_t packed, KeySpec& spec) {
  spec.usage = UsageSet::from_bits(packed & 0xFF);
  spec.exportable = (packed & 1u << 8) != 0;
  spec.derives.usage = UsageSet::from_bits(packed >> 16 & 0xFF);
  spec.derives.exportable = (packed & 1u << 24) != 0;
}

std::string describe_policy(const KeySpec& spec) {
  std::string out = spec.usage.to_string();
  if (spec.exportable) out += " exportable";
  if (spec.usage.allows(Usage::derive)) {
    out += " -> " + spec.derives.usage.to_string();
    if (spec.derives.exportable) out += " exportable";
  }
  return out;
}

unsigned strength_bits(Algorithm a) {
  switch (a) {
    case Algorithm::des3_2key:
      return 80;
    case Algorithm::des3_3key:
      return 112;
    case Algorithm::aes192:
      return 192;
    case Algorithm::aes256:
      return 256;
    case Algorithm::aes128:
    case Algorithm::sm4:
      return 128;
  }
  return 0;
}

}  // namespace cardd::hsm
