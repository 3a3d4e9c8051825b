#include "record_sealer.h"

#include <fmt/format.h>

#include "cardd/personalization/card_data.h"

namespace cardd::server {
namespace {

constexpr std::string_view kMagic = "HSM1";
constexpr const char* kEncKey = "cardd.storage.enc";
constexpr const char* kMacKey = "cardd.storage.mac";
constexpr std::size_t kBlock = 16;

Status ensure_key(hsm::Hsm& hsm, db::Store& store, std::string_view actor,
                  const hsm::KeySpec& spec) {
  auto info = hsm.info(spec.name);
  if (info) return {};
  if (info.error().code != hsm::HsmError::key_not_found) return info.error();
  auto made = hsm.generate(spec);
  if (!made) return made.error();
  return store.audit(actor, "keys.generate", spec.name,
                     fmt::format("storage key for prepared cards, kcv={}", made->kcv));
}

Error bad_record() {
  return make_error(personalization::PrepareError::bad_record,
                    "a sealed record that does not open (altered, or other keys)");
}

}  // namespace

Result<RecordSealer> RecordSealer::open(hsm::Hsm& hsm, db::Store& store, std::string_view actor) {
  using hsm::Usage;
  if (auto s = ensure_key(hsm, store, actor,
                          {kEncKey, hsm::Algorithm::aes256, {Usage::encrypt, Usage::decrypt}, 1});
      !s)
    return s.error();
  if (auto s = ensure_key(hsm, store, actor, {kMacKey, hsm::Algorithm::aes256, {Usage::mac}, 1});
      !s)
    return s.error();
  return RecordSealer(hsm);
}

Result<std::string> RecordSealer::seal(std::string_view plain) {
  // ISO/IEC 9797-1 padding method 2: 80 then zeros to the block.
  hsm::Bytes padded(plain.begin(), plain.end());
  padded.push_back(0x80);
  padded.resize((padded.size() + kBlock - 1) / kBlock * kBlock, 0x00);
  auto iv = hsm_->random(kBlock);
  if (!iv) return iv.error();
  auto ct = hsm_->encrypt(kEncKey, hsm::CipherMode::cbc, *iv, padded);
  if (!ct) return ct.error();
  hsm::Bytes body = *iv;
  body.insert(body.end(), ct->begin(), ct->end());
  auto tag = hsm_->mac(kMacKey, hsm::MacMethod::cmac, body);
  if (!tag) return tag.error();
  std::string out(kMagic);
  out.append(body.begin(), body.end());
  out.append(tag->begin(), tag->end());
  return out;
}

Result<std::string> RecordSealer::unseal(std::string_view sealed) {
  if (sealed.size() < kMagic.size() + 3 * kBlock || sealed.substr(0, kMagic.size()) != kMagic ||
      (sealed.size() - kMagic.size()) % kBlock != 0)
    return bad_record();
  const hsm::Bytes body(sealed.begin() + static_cast<std::ptrdiff_t>(kMagic.size()),
                        sealed.end() - static_cast<std::ptrdiff_t>(kBlock));
  const hsm::Bytes tag(sealed.end() - static_cast<std::ptrdiff_t>(kBlock), sealed.end());
  auto expected = hsm_->mac(kMacKey, hsm::MacMethod::cmac, body);
  if (!expected) return expected.error();
  if (*expected != tag) return bad_record();
  const hsm::ByteView iv(body.data(), kBlock);
  auto padded = hsm_->decrypt(kEncKey, hsm::CipherMode::cbc, iv,
                              hsm::ByteView(body.data() + kBlock, body.size() - kBlock));
  if (!padded) return padded.error();
  std::size_t end = padded->size();
  while (end > 0 && (*padded)[end - 1] == 0x00) --end;
  if (end == 0 || (*padded)[end - 1] != 0x80) return bad_record();
  return std::string(padded->begin(), padded->begin() + static_cast<std::ptrdiff_t>(end - 1));
}

}  // namespace cardd::server
