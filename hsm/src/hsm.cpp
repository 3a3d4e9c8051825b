#include "cardd/hsm/hsm.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace cardd::hsm {
namespace {

Error invalid(std::string message) {
  return make_error(HsmError::invalid_argument, std::move(message));
}

Status check_spec(const KeySpec& spec) {
  if (!valid_key_name(spec.name)) return invalid("key names are 1-64 of A-Z a-z 0-9 _ . : / -");
  if (spec.usage.bits() == 0) return invalid(fmt::format("key {} has no usage", spec.name));
  if (const std::string why = policy_violation(spec); !why.empty())
    return make_error(HsmError::usage_not_permitted, fmt::format("key {}: {}", spec.name, why));
  return {};
}

Error not_permitted(std::string message) {
  return make_error(HsmError::usage_not_permitted, std::move(message));
}

// A derived key stays within its base key's derive template.
Status check_derived(const KeyInfo& base, const KeySpec& out) {
  // Keys stored before templates existed carry none: they get the default.
  const DeriveTemplate allowed = normalized(base.spec).derives;
  if ((out.usage.bits() & ~allowed.usage.bits()) != 0)
    return not_permitted(fmt::format("key {} may derive keys for {} only, not {}", base.spec.name,
                                     allowed.usage.to_string(), out.usage.to_string()));
  if ((out.exportable || out.derives.exportable) && !allowed.exportable)
    return not_permitted(fmt::format("keys derived from {} may not be exportable", base.spec.name));
  return {};
}

// ISO 9564-1 format 2: 2N, the PIN digits as BCD, F filler; FF to the block.
Result<SecureBytes> format2_pin_block(const SecureBytes& pin, std::size_t block) {
  if (pin.size() < 4 || pin.size() > 12) return invalid("a PIN is 4 to 12 digits");
  SecureBytes out(std::max<std::size_t>(8, block));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = 0xFF;
  out[0] = static_cast<std::uint8_t>(0x20 | pin.size());
  for (std::size_t i = 0; i < pin.size(); ++i) {
    if (pin[i] < '0' || pin[i] > '9') return invalid("a PIN is 4 to 12 digits");
    const auto digit = static_cast<std::uint8_t>(pin[i] - '0');
    std::uint8_t& byte = out[1 + i / 2];
    byte = i % 2 == 0 ? static_cast<std::uint8_t>(digit << 4 | 0x0F)
                      : static_cast<std::uint8_t>((byte & 0xF0) | digit);
  }
  return out;
}

Status check_blocks(const KeyInfo& key, CipherMode mode, ByteView iv, ByteView data) {
  const std::size_t block = block_size(key.spec.algorithm);
  if (data.empty() || data.size() % block != 0)
    return invalid(fmt::format("data for key {} must be a non-empty multiple of {} bytes",
                               key.spec.name, block));
  if (mode == CipherMode::ecb && !iv.empty()) return invalid("ECB takes no IV");
  if (mode == CipherMode::cbc && !iv.empty() && iv.size() != block)
    return invalid(fmt::format("the IV for key {} must be {} bytes", key.spec.name, block));
  return {};
}

}  // namespace

Result<KeyInfo> Hsm::checked_key(std::string_view name, Usage usage) {
  auto key = do_find(name);
  if (!key) return key;
  if (!key->spec.usage.allows(usage))
    return make_error(HsmError::usage_not_permitted,
                      fmt::format("key {} may not be used to {} (usage: {})", name,
                                  to_string(usage), key->spec.usage.to_string()));
  count(*key, usage);
  return key;
}

namespace {
std::size_t usage_bit(Usage usage) {
  return static_cast<std::size_t>(std::countr_zero(static_cast<std::uint32_t>(usage)));
}
}  // namespace

void Hsm::count(const KeyInfo& key, Usage usage) {
  // Every session has its own key names: counted one by one they would grow
  // without bound in a service that runs for months.
  if (key.ephemeral) {
    session_counts_[usage_bit(usage)].fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::lock_guard lock(counts_mutex_);
  ++counts_[{key.spec.name, usage}];
}

std::vector<UsageCount> Hsm::usage_counts() const {
  std::vector<UsageCount> out;
  {
    std::lock_guard lock(counts_mutex_);
    for (const auto& [k, n] : counts_) out.push_back({k.first, k.second, n});
  }
  for (std::size_t bit = 0; bit < session_counts_.size(); ++bit)
    if (const auto n = session_counts_[bit].load(std::memory_order_relaxed); n > 0)
      out.push_back({kSessionKeysCount, static_cast<Usage>(1U << bit), n});
  return out;
}

Result<KeyInfo> Hsm::generate(const KeySpec& requested) {
  const KeySpec spec = normalized(requested);
  if (auto s = check_spec(spec); !s) return s.error();
  if (do_find(spec.name))
    return make_error(HsmError::key_exists, fmt::format("key {} exists", spec.name));
  return do_generate(spec);
}

Result<KeyInfo> Hsm::import_components(const KeySpec& requested,
                                       std::span<const SecureBytes> components) {
  const KeySpec spec = normalized(requested);
  if (auto s = check_spec(spec); !s) return s.error();
  if (components.size() < 2 || components.size() > 3)
    return invalid("a key ceremony takes 2 or 3 components");
  if (do_find(spec.name))
    return make_error(HsmError::key_exists, fmt::format("key {} exists", spec.name));
  const std::size_t length = key_length(spec.algorithm);
  SecureBytes combined(length);
  for (std::size_t c = 0; c < components.size(); ++c) {
    const SecureBytes& part = components[c];
    if (part.size() != length)
      return invalid(fmt::format("component {} must be {} bytes for {}", c + 1, length,
                                 to_string(spec.algorithm)));
    if (auto s = check_key_strength(spec.algorithm, part); !s)
      return make_error(HsmError::weak_key, fmt::format("component {} is weak", c + 1));
    for (std::size_t prior = 0; prior < c; ++prior)
      if (components[prior].equals(part.span()))
        return make_error(HsmError::weak_key,
                          fmt::format("component {} repeats component {}", c + 1, prior + 1));
    for (std::size_t i = 0; i < length; ++i) combined[i] ^= part[i];
  }
  // The combined bytes are kept as they are: DES ignores parity bits, and a
  // key exported to a card must be the bytes the custodians agreed on.
  if (auto s = check_key_strength(spec.algorithm, combined); !s)
    return make_error(HsmError::weak_key, "the combined key is weak");
  return do_import(spec, combined);
}

Result<KeyInfo> Hsm::import_wrapped(const KeySpec& requested, ByteView wrapped,
                                    std::string_view zmk, std::string_view expected_kcv) {
  const KeySpec spec = normalized(requested);
  if (auto s = check_spec(spec); !s) return s.error();
  if (expected_kcv.empty())
    return invalid(
        fmt::format("key {}: the KCV from the key's sender is required to import it", spec.name));
  if (do_find(spec.name))
    return make_error(HsmError::key_exists, fmt::format("key {} exists", spec.name));
  auto transport = checked_key(zmk, Usage::unwrap);
  if (!transport) return transport;
  const std::size_t length = key_length(spec.algorithm);
  const std::size_t block = block_size(transport->spec.algorithm);
  if (wrapped.size() != (length + block - 1) / block * block)
    return invalid(fmt::format("a wrapped {} key is {} bytes under {}", to_string(spec.algorithm),
                               (length + block - 1) / block * block, zmk));
  auto key = do_import_wrapped(spec, wrapped, *transport);
  if (!key) return key;
  if (key->kcv != expected_kcv) {
    (void)do_destroy(*key);
    return make_error(HsmError::invalid_argument,
                      fmt::format("key {} has KCV {}, expected {}; not imported", spec.name,
                                  key->kcv, expected_kcv));
  }
  return key;
}

Result<KeyInfo> Hsm::info(std::string_view name) { return do_find(name); }
Result<std::vector<KeyInfo>> Hsm::list() { return do_list(); }

Status Hsm::destroy(std::string_view name) {
  auto key = do_find(name);
  if (!key) return key.error();
  return do_destroy(*key);
}

Result<Bytes> Hsm::encrypt(std::string_view name, CipherMode mode, ByteView iv, ByteView data) {
  auto key = checked_key(name, Usage::encrypt);
  if (!key) return key.error();
  if (auto s = check_blocks(*key, mode, iv, data); !s) return s.error();
  return do_crypt(*key, true, mode, iv, data);
}

Result<Bytes> Hsm::decrypt(std::string_view name, CipherMode mode, ByteView iv, ByteView data) {
  auto key = checked_key(name, Usage::decrypt);
  if (!key) return key.error();
  if (auto s = check_blocks(*key, mode, iv, data); !s) return s.error();
  return do_crypt(*key, false, mode, iv, data);
}

Result<Bytes> Hsm::mac(std::string_view name, MacMethod method, ByteView data) {
  auto key = checked_key(name, Usage::mac);
  if (!key) return key.error();
  if (method == MacMethod::retail_mac || method == MacMethod::des_k1_mac) {
    if (!is_des(key->spec.algorithm))
      return make_error(HsmError::mechanism_unsupported,
                        "ISO 9797-1 MAC algorithms 1 and 3 need a 3DES key");
    if (data.empty() || data.size() % 8 != 0)
      return invalid("DES MAC input must be padded to 8-byte blocks");
  }
  return do_mac(*key, method, data);
}

Result<KeyInfo> Hsm::derive(std::string_view base_name, const Derivation& how,
                            const KeySpec& requested, bool persistent) {
  const KeySpec out = normalized(requested);
  if (auto s = check_spec(out); !s) return s.error();
  if (do_find(out.name))
    return make_error(HsmError::key_exists, fmt::format("key {} exists", out.name));
  auto base = checked_key(base_name, Usage::derive);
  if (!base) return base;
  if (auto s = check_derived(*base, out); !s) return s.error();
  if (const auto* e = std::get_if<EncryptDataDerivation>(&how)) {
    if (auto s = check_blocks(*base, e->mode, e->iv, e->data); !s) return s.error();
    if (e->data.size() < key_length(out.algorithm))
      return invalid(
          fmt::format("derivation data must give at least {} bytes", key_length(out.algorithm)));
  } else if (is_des(base->spec.algorithm)) {
    return make_error(HsmError::mechanism_unsupported,
                      "the SP 800-108 CMAC KDF is defined here for AES/SM4 keys");
  }
  return do_derive(*base, how, out, persistent);
}

Result<Bytes> Hsm::wrap(std::string_view wrapping_name, CipherMode mode,
                        std::string_view key_name) {
  auto wrapping = checked_key(wrapping_name, Usage::wrap);
  if (!wrapping) return wrapping.error();
  auto key = do_find(key_name);
  if (!key) return key.error();
  if (key->spec.name == wrapping->spec.name)
    return not_permitted(fmt::format("key {} cannot be wrapped under itself", key_name));
  if (!key->spec.exportable)
    return not_permitted(fmt::format("key {} is not exportable", key_name));
  if (strength_bits(wrapping->spec.algorithm) < strength_bits(key->spec.algorithm))
    return not_permitted(fmt::format("key {} ({}) may not be wrapped under the weaker {} ({})",
                                     key_name, to_string(key->spec.algorithm), wrapping_name,
                                     to_string(wrapping->spec.algorithm)));
  return do_wrap(*wrapping, mode, *key);
}

Result<Bytes> Hsm::wrap_pin_block(std::string_view wrapping_name, const SecureBytes& pin) {
  auto wrapping = checked_key(wrapping_name, Usage::wrap);
  if (!wrapping) return wrapping.error();
  auto block = format2_pin_block(pin, block_size(wrapping->spec.algorithm));
  if (!block) return block.error();
  return do_wrap_value(*wrapping, *block);
}

Result<Bytes> Hsm::random(std::size_t length) {
  if (length == 0 || length > 4096) return invalid("random length must be 1..4096");
  return do_random(length);
}

}  // namespace cardd::hsm
