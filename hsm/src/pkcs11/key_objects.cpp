#include "pkcs11/key_objects.h"
#include "cardd/common/hex.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace cardd::hsm::p11 {
namespace {

constexpr unsigned long kUnavailable = ~0UL;  // CK_UNAVAILABLE_INFORMATION
constexpr std::string_view kIdPrefix = "cardd:v";
constexpr std::string_view kPolicyTag = ":p=";
constexpr std::string_view kKcvTag = ":kcv=";

struct Metadata {
  std::uint32_t version = 0;
  std::optional<std::uint32_t> policy;  // absent in keys made before policies
  std::string kcv;
};

std::optional<Metadata> decode_id(std::string_view id) {
  if (!id.starts_with(kIdPrefix)) return std::nullopt;
  id.remove_prefix(kIdPrefix.size());
  Metadata m;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), m.version);
  if (ec != std::errc()) return std::nullopt;
  id.remove_prefix(static_cast<std::size_t>(end - id.data()));
  if (id.starts_with(kPolicyTag)) {
    id.remove_prefix(kPolicyTag.size());
    std::uint32_t policy = 0;
    const auto [policy_end, policy_ec] =
        std::from_chars(id.data(), id.data() + id.size(), policy, 16);
    if (policy_ec != std::errc()) return std::nullopt;
    m.policy = policy;
    id.remove_prefix(static_cast<std::size_t>(policy_end - id.data()));
  }
  if (id.starts_with(kKcvTag)) m.kcv = std::string(id.substr(kKcvTag.size()));
  return m;
}

}  // namespace

Template& Template::flag(ck_attribute_type_t type, bool on) {
  flags_.push_back(on ? kTrue : kFalse);
  attributes_.push_back(Attribute{type, &flags_.back(), sizeof(unsigned char)});
  return *this;
}

Template& Template::number(ck_attribute_type_t type, unsigned long n) {
  numbers_.push_back(n);
  attributes_.push_back(Attribute{type, &numbers_.back(), sizeof(unsigned long)});
  return *this;
}

Template& Template::bytes(ck_attribute_type_t type, ByteView value) {
  // Templates are read, never written, by the token.
  attributes_.push_back(Attribute{type, const_cast<std::uint8_t*>(value.data()), value.size()});
  return *this;
}

Template& Template::text(ck_attribute_type_t type, std::string_view value) {
  attributes_.push_back(Attribute{type, const_cast<char*>(value.data()), value.size()});
  return *this;
}

void fill_key_template(Template& t, const KeyObject& key) {
  const UsageSet usage = key.spec->usage;
  t.number(CKA_CLASS, CKO_SECRET_KEY).number(CKA_KEY_TYPE, key.type.type);
  if (key.with_value_len && key.type.has_value_len) t.number(CKA_VALUE_LEN, key.type.value_len);
  t.text(CKA_LABEL, key.spec->name)
      .flag(CKA_TOKEN, key.on_token && !key.draft)
      .flag(CKA_PRIVATE, true)
      .flag(CKA_SENSITIVE, true)
      .flag(CKA_EXTRACTABLE, key.extractable)
      .flag(CKA_WRAP_WITH_TRUSTED, key.extractable && key.on_token)
      .flag(CKA_ENCRYPT, key.draft || usage.allows(Usage::encrypt))
      .flag(CKA_DECRYPT, usage.allows(Usage::decrypt))
      .flag(CKA_SIGN, usage.allows(Usage::mac))
      .flag(CKA_VERIFY, usage.allows(Usage::mac))
      .flag(CKA_DERIVE, usage.allows(Usage::derive))
      .flag(CKA_WRAP, usage.allows(Usage::wrap))
      .flag(CKA_UNWRAP, usage.allows(Usage::unwrap));
  if (!key.id.empty() && !key.draft) t.text(CKA_ID, key.id);
  // Last: SoftHSM refuses every attribute after CKA_MODIFIABLE=false when
  // deriving or unwrapping.
  t.flag(CKA_MODIFIABLE, key.draft);
}

void fill_final_template(Template& t, const KeyObject& key) {
  t.flag(CKA_TOKEN, key.on_token)
      .flag(CKA_ENCRYPT, key.spec->usage.allows(Usage::encrypt))
      .text(CKA_ID, key.id)
      .flag(CKA_MODIFIABLE, false);
}

std::string encode_id(const KeySpec& spec, std::string_view kcv) {
  const std::string head =
      fmt::format("{}{}{}{:x}", kIdPrefix, spec.version, kPolicyTag, pack_policy(normalized(spec)));
  if (kcv.empty()) return head;
  return fmt::format("{}{}{}", head, kKcvTag, kcv);
}

Result<std::vector<ObjectHandle>> find_keys(Lease& lease, std::optional<std::string_view> label) {
  Template t;
  t.number(CKA_CLASS, CKO_SECRET_KEY).flag(CKA_TOKEN, true);
  if (label) t.text(CKA_LABEL, *label);
  const FunctionList& fn = lease.fn();
  if (const Rv rv = fn.C_FindObjectsInit(lease.session(), t.data(), t.size()); rv != CKR_OK)
    return lease.fail(rv, "C_FindObjectsInit");
  std::vector<ObjectHandle> found;
  std::array<ObjectHandle, 64> batch{};
  Rv rv = CKR_OK;
  for (;;) {
    unsigned long n = 0;
    rv = fn.C_FindObjects(lease.session(), batch.data(), batch.size(), &n);
    if (rv != CKR_OK || n == 0) break;
    found.insert(found.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(n));
  }
  const Rv final_rv = fn.C_FindObjectsFinal(lease.session());
  if (rv != CKR_OK) return lease.fail(rv, "C_FindObjects");
  if (final_rv != CKR_OK) return lease.fail(final_rv, "C_FindObjectsFinal");
  return found;
}

Result<std::optional<StoredKey>> read_key(Lease& lease, ObjectHandle handle) {
  std::array<char, 128> label{};
  std::array<char, 64> id{};
  unsigned long key_type = 0, value_len = 0;
  // token, encrypt, decrypt, sign, derive, wrap, unwrap, extractable
  std::array<unsigned char, 8> flags{};
  std::array<Attribute, 12> attrs{{
      {CKA_LABEL, label.data(), label.size()},
      {CKA_ID, id.data(), id.size()},
      {CKA_KEY_TYPE, &key_type, sizeof key_type},
      {CKA_VALUE_LEN, &value_len, sizeof value_len},
      {CKA_TOKEN, &flags[0], 1},
      {CKA_ENCRYPT, &flags[1], 1},
      {CKA_DECRYPT, &flags[2], 1},
      {CKA_SIGN, &flags[3], 1},
      {CKA_DERIVE, &flags[4], 1},
      {CKA_WRAP, &flags[5], 1},
      {CKA_UNWRAP, &flags[6], 1},
      {CKA_EXTRACTABLE, &flags[7], 1},
  }};
  const Rv rv = lease.fn().C_GetAttributeValue(lease.session(), handle, attrs.data(), attrs.size());
  if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_ATTRIBUTE_SENSITIVE &&
      rv != CKR_BUFFER_TOO_SMALL)
    return lease.fail(rv, "C_GetAttributeValue");
  const auto has = [&](std::size_t i) { return attrs[i].value_len != kUnavailable; };
  if (!has(0) || !has(2)) return std::optional<StoredKey>();
  for (std::size_t i = 4; i < attrs.size(); ++i)
    if (!has(i)) flags[i - 4] = kFalse;
  const auto algorithm = algorithm_of(key_type, has(3) ? value_len : 0);
  const std::string name(label.data(), attrs[0].value_len);
  if (!algorithm || !valid_key_name(name)) return std::optional<StoredKey>();

  StoredKey key;
  key.handle = handle;
  key.info.spec.name = name;
  key.info.spec.algorithm = *algorithm;
  std::uint32_t usage = 0;
  const Usage order[] = {Usage::encrypt, Usage::decrypt, Usage::mac,
                         Usage::derive,  Usage::wrap,    Usage::unwrap};
  for (std::size_t i = 0; i < 6; ++i)
    if (flags[i + 1] == kTrue) usage |= static_cast<std::uint32_t>(order[i]);
  key.info.ephemeral = flags[0] != kTrue;
  const auto meta =
      has(1) ? decode_id(std::string_view(id.data(), attrs[1].value_len)) : std::nullopt;
  if (meta && meta->policy) unpack_policy(*meta->policy, key.info.spec);
  // The token's flags are what it enforces: they win over the recorded policy.
  key.info.spec.usage = UsageSet::from_bits(usage);
  key.info.spec.exportable = flags[7] == kTrue;
  if (meta) {
    key.info.spec.version = meta->version;
    key.info.kcv = meta->kcv;
  } else {
    key.info.spec.version = 0;  // not made by cardd: version and KCV unknown
  }
  return std::optional<StoredKey>(std::move(key));
}

Result<std::string> token_kcv(Lease& lease, ObjectHandle handle, Algorithm algorithm) {
  const FunctionList& fn = lease.fn();
  Bytes probe(block_size(algorithm), is_des(algorithm) ? 0x00 : 0x01);
  Bytes out(probe.size());
  Mechanism mechanism{*cipher_mechanism(algorithm, CipherMode::ecb), nullptr, 0};
  if (const Rv rv = fn.C_EncryptInit(lease.session(), &mechanism, handle); rv != CKR_OK)
    return lease.fail(rv, "C_EncryptInit (KCV)");
  unsigned long out_len = out.size();
  if (const Rv rv = fn.C_Encrypt(lease.session(), probe.data(), probe.size(), out.data(), &out_len);
      rv != CKR_OK)
    return lease.fail(rv, "C_Encrypt (KCV)");
  if (out_len < 3) return make_error(HsmError::internal, "C_Encrypt (KCV): short output");
  return to_hex(ByteView(out.data(), 3), HexCase::upper);
}

Result<bool> is_trusted(Lease& lease, ObjectHandle handle) {
  unsigned char trusted = kFalse;
  Attribute a{CKA_TRUSTED, &trusted, 1};
  const Rv rv = lease.fn().C_GetAttributeValue(lease.session(), handle, &a, 1);
  if (rv == CKR_ATTRIBUTE_TYPE_INVALID) return false;
  if (rv != CKR_OK) return lease.fail(rv, "C_GetAttributeValue CKA_TRUSTED");
  return trusted == kTrue;
}

void destroy_quietly(Lease& lease, ObjectHandle handle) {
  if (handle != CK_INVALID_HANDLE) lease.fn().C_DestroyObject(lease.session(), handle);
}

}  // namespace cardd::hsm::p11
