#include "keystore.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "crypto/block_cipher.h"
#include "keystore_file.h"

namespace cardd::hsm {
namespace {

constexpr char kMagic[] = "CARDDKS1";
constexpr std::uint8_t kFormat = 2;  // 1: no header checksum
// New stores and every re-salted one: N = 2^17, r = 8 (128 MiB, ~0.3 s), as
// current guidance asks. Files with a lower N (down to 2^15, the old
// default) still open, and get a new salt and these parameters at their next
// write; below 2^15 a file is refused as unsafe.
constexpr std::uint8_t kLog2N = 17;
constexpr std::uint8_t kMinLog2N = 15;
constexpr std::uint32_t kR = 8;
constexpr std::uint32_t kP = 1;
constexpr std::uint64_t kMaxKdfMemory = std::uint64_t{1} << 30;
constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kCheckSize = 16;
constexpr std::size_t kHeaderSize = 8 + 2 + 8 + kSaltSize + kCheckSize;  // what the checksum covers
constexpr std::size_t kChecksumSize = 32;
constexpr std::size_t kMacSize = 32;
constexpr char kCheckLabel[] = "cardd keystore passphrase check";

Error corrupt(std::string_view what) {
  return make_error(HsmError::store_corrupt, fmt::format("keystore is damaged: {}", what));
}

// Reads big-endian fields with bounds checks; any overrun marks it failed.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  bool failed() const { return failed_; }
  std::size_t offset() const { return pos_; }
  std::span<const std::uint8_t> bytes(std::size_t n) {
    if (failed_ || pos_ + n > data_.size()) {
      failed_ = true;
      return {};
    }
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::uint32_t u(std::size_t width) {
    std::uint32_t v = 0;
    for (const std::uint8_t b : bytes(width)) v = v << 8 | b;
    return v;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

void put(std::vector<std::uint8_t>& out, std::uint32_t v, std::size_t width) {
  for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::vector<std::uint8_t> hmac(const SecureBytes& key, std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out(kMacSize);
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &length);
  return out;
}

std::vector<std::uint8_t> passphrase_check(const SecureBytes& mac_key) {
  auto check = hmac(mac_key, std::span(reinterpret_cast<const std::uint8_t*>(kCheckLabel),
                                       sizeof(kCheckLabel) - 1));
  check.resize(kCheckSize);
  return check;
}

std::array<std::uint8_t, kChecksumSize> header_checksum(std::span<const std::uint8_t> header) {
  std::array<std::uint8_t, kChecksumSize> out{};
  SHA256(header.data(), header.size(), out.data());
  return out;
}

Result<Bytes> aes_key_wrap(const SecureBytes& kek, bool wrap, std::span<const std::uint8_t> in) {
  EVP_CIPHER_CTX* raw = EVP_CIPHER_CTX_new();
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(raw, EVP_CIPHER_CTX_free);
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_wrap(), nullptr, kek.data(), nullptr,
                                wrap ? 1 : 0) != 1)
    return make_error(HsmError::internal, "AES key wrap set-up failed");
  Bytes out(in.size() + 16);
  int n = 0, tail = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1)
    return corrupt("a wrapped key does not unwrap");
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

}  // namespace

Result<Keystore> Keystore::open(const std::string& path, SecureBytes passphrase, bool create) {
  Keystore store;
  store.path_ = path;
  store.passphrase_ = std::move(passphrase);
  auto file = read_keystore_file(path);
  if (!file) return file.error();
  if (!*file) {
    // Never made implicitly: a mistyped path must not become an empty store.
    if (!create)
      return make_error(HsmError::io,
                        fmt::format("there is no keystore {}; to create a new one, pass "
                                    "--create-keystore (create = true)",
                                    path));
    auto lock = KeystoreLock::acquire(path);
    if (!lock) return lock.error();
    file = read_keystore_file(path);  // another writer may have just made it
    if (!file) return file.error();
    if (!*file) {
      store.renew_kdf_ = true;
      if (auto s = store.write(*lock); !s) return s.error();
      store.loaded_ = keystore_file_identity(path);
      return store;
    }
  }
  if (auto s = store.load((*file)->bytes); !s) return s.error();
  store.loaded_ = (*file)->identity;
  return store;
}

bool Keystore::current() const { return loaded_ && keystore_file_identity(path_) == loaded_; }

Status Keystore::reload() {
  if (current()) return {};
  auto file = read_keystore_file(path_);
  if (!file) return file.error();
  if (!*file) return make_error(HsmError::io, fmt::format("the keystore {} has gone", path_));
  loaded_.reset();
  if (auto s = load((*file)->bytes); !s) return s;
  loaded_ = (*file)->identity;
  return {};
}

Status Keystore::update(const std::function<Status(std::vector<StoredKey>&)>& change) {
  auto lock = KeystoreLock::acquire(path_);
  if (!lock) return lock.error();
  if (auto s = reload(); !s) return s;
  loaded_.reset();  // keys_ is about to differ from the file
  if (auto s = change(keys_); !s) {
    (void)reload();  // drop a half-applied change; the file is untouched
    return s;
  }
  if (auto s = write(*lock); !s) {
    (void)reload();
    return s;
  }
  loaded_ = keystore_file_identity(path_);
  return {};
}

Status Keystore::derive(const Kdf& kdf) {
  SecureBytes master(64);
  if (EVP_PBE_scrypt(reinterpret_cast<const char*>(passphrase_.data()), passphrase_.size(),
                     kdf.salt.data(), kdf.salt.size(), std::uint64_t{1} << kdf.log2n, kdf.r, kdf.p,
                     kMaxKdfMemory + (std::uint64_t{1} << 20), master.data(), master.size()) != 1)
    return make_error(HsmError::internal, "scrypt failed");
  wrap_key_ = SecureBytes(master.span().subspan(0, 32));
  mac_key_ = SecureBytes(master.span().subspan(32, 32));
  kdf_ = kdf;
  return {};
}

Status Keystore::load(std::span<const std::uint8_t> file) {
  Reader r(file);
  const auto magic = r.bytes(8);
  if (r.failed() || !std::equal(magic.begin(), magic.end(), kMagic))
    return corrupt("not a cardd keystore");
  const std::uint32_t format = r.u(1);
  if (format != 1 && format != kFormat) return corrupt("unknown format version");
  Kdf kdf;
  kdf.log2n = static_cast<std::uint8_t>(r.u(1));
  kdf.r = r.u(4);
  kdf.p = r.u(4);
  const auto salt = r.bytes(kSaltSize);
  kdf.salt.assign(salt.begin(), salt.end());
  const auto check = r.bytes(kCheckSize);
  if (format == kFormat) {
    const auto stored = r.bytes(kChecksumSize);
    if (r.failed()) return corrupt("truncated header");
    const auto computed = header_checksum(file.subspan(0, kHeaderSize));
    if (!std::equal(stored.begin(), stored.end(), computed.begin()))
      return corrupt("header checksum mismatch");
  }
  if (r.failed() || file.size() < r.offset() + 4 + kMacSize) return corrupt("too short");
  if (kdf.log2n < kMinLog2N) return corrupt("KDF parameters too weak (scrypt N below 2^15)");
  if (kdf.log2n > 30 || kdf.r == 0 || kdf.r > 64 || kdf.p == 0 || kdf.p > 16 ||
      (std::uint64_t{128} * kdf.r << kdf.log2n) > kMaxKdfMemory)
    return corrupt("KDF parameters out of range");
  if (!(kdf == kdf_))
    if (auto s = derive(kdf); !s) return s;
  if (CRYPTO_memcmp(passphrase_check(mac_key_).data(), check.data(), kCheckSize) != 0)
    return make_error(HsmError::login_failed, "wrong keystore passphrase");
  const std::span<const std::uint8_t> body = file.first(file.size() - kMacSize);
  if (CRYPTO_memcmp(hmac(mac_key_, body).data(), file.data() + body.size(), kMacSize) != 0)
    return corrupt("integrity check failed");

  Reader records(body);
  records.bytes(r.offset());
  const std::uint32_t count = records.u(4);
  std::vector<StoredKey> keys;
  for (std::uint32_t i = 0; i < count && !records.failed(); ++i) {
    StoredKey key;
    const auto name = records.bytes(records.u(2));
    key.info.spec.name.assign(name.begin(), name.end());
    const auto alg = records.u(1);
    unpack_policy(records.u(4), key.info.spec);
    key.info.spec.version = records.u(4);
    const auto kcv = records.bytes(6);
    key.info.kcv.assign(kcv.begin(), kcv.end());
    const auto wrapped = records.bytes(records.u(2));
    if (records.failed() || alg > static_cast<std::uint32_t>(Algorithm::sm4))
      return corrupt("bad key record");
    key.info.spec.algorithm = static_cast<Algorithm>(alg);
    auto value = aes_key_wrap(wrap_key_, false, wrapped);
    if (!value) return value.error();
    key.value = SecureBytes(*value);
    OPENSSL_cleanse(value->data(), value->size());
    if (key.value.size() != key_length(key.info.spec.algorithm))
      return corrupt("key length does not fit its algorithm");
    keys.push_back(std::move(key));
  }
  if (records.failed() || records.offset() != body.size())
    return corrupt("truncated or trailing data");
  keys_ = std::move(keys);
  renew_kdf_ = format != kFormat || kdf.log2n < kLog2N || kdf.r != kR || kdf.p != kP;
  return {};
}

Status Keystore::write(const KeystoreLock& lock) {
  if (renew_kdf_) {
    auto salt = crypto::random_bytes(kSaltSize);
    if (!salt) return salt.error();
    if (auto s = derive(Kdf{kLog2N, kR, kP, {salt->data(), salt->data() + salt->size()}}); !s)
      return s;
  }
  std::vector<std::uint8_t> out(kMagic, kMagic + 8);
  out.push_back(kFormat);
  out.push_back(kdf_.log2n);
  put(out, kdf_.r, 4);
  put(out, kdf_.p, 4);
  out.insert(out.end(), kdf_.salt.begin(), kdf_.salt.end());
  const auto check = passphrase_check(mac_key_);
  out.insert(out.end(), check.begin(), check.end());
  const auto checksum = header_checksum(out);
  out.insert(out.end(), checksum.begin(), checksum.end());
  put(out, static_cast<std::uint32_t>(keys_.size()), 4);
  for (const StoredKey& key : keys_) {
    auto wrapped = aes_key_wrap(wrap_key_, true, key.value.span());
    if (!wrapped) return wrapped.error();
    const std::string& name = key.info.spec.name;
    put(out, static_cast<std::uint32_t>(name.size()), 2);
    out.insert(out.end(), name.begin(), name.end());
    put(out, static_cast<std::uint32_t>(key.info.spec.algorithm), 1);
    put(out, pack_policy(key.info.spec), 4);
    put(out, key.info.spec.version, 4);
    out.insert(out.end(), key.info.kcv.begin(), key.info.kcv.end());
    put(out, static_cast<std::uint32_t>(wrapped->size()), 2);
    out.insert(out.end(), wrapped->begin(), wrapped->end());
  }
  const auto mac = hmac(mac_key_, out);
  out.insert(out.end(), mac.begin(), mac.end());
  if (auto s = write_keystore_file(lock, path_, out); !s) return s;
  renew_kdf_ = false;
  return {};
}

}  // namespace cardd::hsm
