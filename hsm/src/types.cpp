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

}  // namespace cardd::hsm
