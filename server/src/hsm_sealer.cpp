#include "cardd/server/hsm_sealer.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "cardd/db/error.h"

namespace cardd::server {
namespace {

// "CS" + format 1, then the key version (big-endian).
constexpr std::string_view kMagic = "CS\x01";
constexpr std::size_t kHeader = kMagic.size() + 2;
// Prepared cards of schema 2: no key version, no associated data.
constexpr std::string_view kLegacyMagic = "HSM1";
constexpr std::size_t kBlock = 16;
constexpr std::uint16_t kMaxVersion = 999;

Error unsealable() {
  return make_error(db::DbError::unsealable,
                    "a sealed value that does not open (altered, moved from another row, or "
                    "sealed under other keys)");
}

bool has_key(hsm::Hsm& hsm, const std::string& name) { return hsm.info(name).ok(); }

hsm::Bytes mac_input(std::string_view header_iv_ct, std::string_view ad) {
  hsm::Bytes in(header_iv_ct.begin(), header_iv_ct.end());
  const auto n = static_cast<std::uint32_t>(ad.size());
  for (const int shift : {24, 16, 8, 0}) in.push_back(static_cast<std::uint8_t>(n >> shift));
  in.insert(in.end(), ad.begin(), ad.end());
  return in;
}

bool same_tag(const hsm::Bytes& expected, std::string_view tag) {
  return expected.size() == tag.size() &&
         CRYPTO_memcmp(expected.data(), tag.data(), tag.size()) == 0;
}

// ISO/IEC 9797-1 padding method 2 removed; nullopt when malformed.
std::optional<std::string> unpad(const hsm::Bytes& padded) {
  std::size_t end = padded.size();
  while (end > 0 && padded[end - 1] == 0x00) --end;
  if (end == 0 || padded[end - 1] != 0x80) return std::nullopt;
  return std::string(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(end - 1));
}

Result<std::string> decrypt(hsm::Hsm& hsm, const std::string& key, std::string_view iv_ct) {
  const hsm::Bytes body(iv_ct.begin(), iv_ct.end());
  auto padded = hsm.decrypt(key, hsm::CipherMode::cbc, hsm::ByteView(body.data(), kBlock),
                            hsm::ByteView(body.data() + kBlock, body.size() - kBlock));
  if (!padded) return padded.error();
  auto plain = unpad(*padded);
  if (!plain) return unsealable();
  return std::move(*plain);
}

}  // namespace

std::string storage_key_name(std::string_view role, std::uint16_t version) {
  return version == 1 ? fmt::format("cardd.storage.{}", role)
                      : fmt::format("cardd.storage.{}.v{}", role, version);
}

Result<std::vector<hsm::KeyInfo>> create_storage_keys(hsm::Hsm& hsm, bool rotate) {
  using hsm::Usage;
  std::uint16_t next = 1;
  while (next <= kMaxVersion && has_key(hsm, storage_key_name("enc", next))) ++next;
  const bool lookup = has_key(hsm, kLookupKey);
  if (next > 1 && !rotate && lookup)
    return make_error(hsm::HsmError::key_exists,
                      fmt::format("the storage keys exist already (version {}); --rotate makes "
                                  "a new version",
                                  next - 1));
  std::vector<hsm::KeySpec> specs;
  // Keys of an older cardd (made on first use, no lookup key) are kept.
  if (next == 1 || rotate)
    specs = {{storage_key_name("enc", next),
              hsm::Algorithm::aes256,
              {Usage::encrypt, Usage::decrypt},
              next},
             {storage_key_name("mac", next), hsm::Algorithm::aes256, {Usage::mac}, next}};
  if (!lookup) specs.push_back({kLookupKey, hsm::Algorithm::aes256, {Usage::mac}, 1});
  std::vector<hsm::KeyInfo> made;
  for (const auto& spec : specs) {
    auto info = hsm.generate(spec);
    if (!info) return info.error();
    made.push_back(std::move(*info));
  }
  return made;
}

Result<std::unique_ptr<HsmSealer>> HsmSealer::open(hsm::Hsm& hsm) {
  std::uint16_t version = 0;
  while (version < kMaxVersion && has_key(hsm, storage_key_name("enc", version + 1)) &&
         has_key(hsm, storage_key_name("mac", version + 1)))
    ++version;
  if (version == 0 || !has_key(hsm, kLookupKey))
    return make_error(hsm::HsmError::key_not_found,
                      "the HSM holds no storage keys for personal data: create them with "
                      "`cardctl keys init-storage` (key ceremony)");
  return std::make_unique<HsmSealer>(Key{}, hsm, version);
}

Result<std::string> HsmSealer::seal(std::string_view plain, std::string_view ad) {
  // ISO/IEC 9797-1 padding method 2: 80 then zeros to the block.
  hsm::Bytes padded(plain.begin(), plain.end());
  padded.push_back(0x80);
  padded.resize((padded.size() + kBlock - 1) / kBlock * kBlock, 0x00);
  auto iv = hsm_->random(kBlock);
  if (!iv) return iv.error();
  auto ct = hsm_->encrypt(storage_key_name("enc", version_), hsm::CipherMode::cbc, *iv, padded);
  if (!ct) return ct.error();
  std::string out(kMagic);
  out += static_cast<char>(version_ >> 8);
  out += static_cast<char>(version_ & 0xFF);
  out.append(iv->begin(), iv->end());
  out.append(ct->begin(), ct->end());
  auto tag = hsm_->mac(storage_key_name("mac", version_), hsm::MacMethod::cmac, mac_input(out, ad));
  if (!tag) return tag.error();
  out.append(tag->begin(), tag->end());
  return out;
}

Result<std::string> HsmSealer::open(std::string_view sealed, std::string_view ad) {
  if (sealed.substr(0, kLegacyMagic.size()) == kLegacyMagic) {
    // Only the migration asks for a value bound to nothing.
    if (!ad.empty()) return unsealable();
    return open_legacy(sealed);
  }
  if (sealed.size() < kHeader + 3 * kBlock || sealed.substr(0, kMagic.size()) != kMagic ||
      (sealed.size() - kHeader) % kBlock != 0)
    return unsealable();
  const auto version =
      static_cast<std::uint16_t>((static_cast<unsigned char>(sealed[kMagic.size()]) << 8) |
                                 static_cast<unsigned char>(sealed[kMagic.size() + 1]));
  if (version == 0 || version > version_) return unsealable();
  const std::string_view body = sealed.substr(0, sealed.size() - kBlock);
  auto expected =
      hsm_->mac(storage_key_name("mac", version), hsm::MacMethod::cmac, mac_input(body, ad));
  if (!expected) return expected.error();
  if (!same_tag(*expected, sealed.substr(sealed.size() - kBlock))) return unsealable();
  return decrypt(*hsm_, storage_key_name("enc", version), body.substr(kHeader));
}

Result<std::string> HsmSealer::open_legacy(std::string_view sealed) {
  if (sealed.size() < kLegacyMagic.size() + 3 * kBlock ||
      (sealed.size() - kLegacyMagic.size()) % kBlock != 0)
    return unsealable();
  const std::string_view body =
      sealed.substr(kLegacyMagic.size(), sealed.size() - kLegacyMagic.size() - kBlock);
  auto expected = hsm_->mac(storage_key_name("mac", 1), hsm::MacMethod::cmac,
                            hsm::Bytes(body.begin(), body.end()));
  if (!expected) return expected.error();
  if (!same_tag(*expected, sealed.substr(sealed.size() - kBlock))) return unsealable();
  return decrypt(*hsm_, storage_key_name("enc", 1), body);
}

Result<std::string> HsmSealer::keyed_hash(std::string_view kind, std::string_view value) {
  hsm::Bytes in(kind.begin(), kind.end());
  in.push_back(0x00);
  in.insert(in.end(), value.begin(), value.end());
  auto tag = hsm_->mac(kLookupKey, hsm::MacMethod::cmac, in);
  if (!tag) return tag.error();
  std::string hex;
  for (const std::uint8_t b : *tag) hex += fmt::format("{:02x}", b);
  return hex;
}

}  // namespace cardd::server
