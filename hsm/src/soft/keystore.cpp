#include "keystore.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/block_cipher.h"

namespace cardd::hsm {
namespace {

constexpr char kMagic[] = "CARDDKS1";
constexpr std::uint8_t kFormat = 1;
constexpr std::uint8_t kLog2N = 15;  // 32 MiB with r = 8: memory-hard, ~0.1 s
constexpr std::uint32_t kR = 8;
constexpr std::uint32_t kP = 1;
constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kCheckSize = 16;
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

Result<SecureBytes> derive_master(const SecureBytes& passphrase, std::span<const std::uint8_t> salt,
                                  std::uint8_t log2n, std::uint32_t r, std::uint32_t p) {
  SecureBytes out(64);
  if (log2n < 10 || log2n > 22 || r == 0 || r > 32 || p == 0 || p > 16)
    return corrupt("KDF parameters out of range");
  if (EVP_PBE_scrypt(reinterpret_cast<const char*>(passphrase.data()), passphrase.size(),
                     salt.data(), salt.size(), std::uint64_t{1} << log2n, r, p,
                     256u * 1024u * 1024u, out.data(), out.size()) != 1)
    return make_error(HsmError::internal, "scrypt failed");
  return out;
}

std::vector<std::uint8_t> hmac(const SecureBytes& key, std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out(kMacSize);
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &length);
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

Status write_atomically(const std::string& path, std::span<const std::uint8_t> data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(HsmError::io, fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::filesystem::remove(tmp);
    return make_error(HsmError::io, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace

Result<Keystore> Keystore::open(const std::string& path, const SecureBytes& passphrase) {
  Keystore store;
  store.path_ = path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    auto salt = crypto::random_bytes(kSaltSize);
    if (!salt) return salt.error();
    store.salt_.assign(salt->data(), salt->data() + salt->size());
    auto master = derive_master(passphrase, store.salt_, kLog2N, kR, kP);
    if (!master) return master.error();
    store.wrap_key_ = SecureBytes(master->span().subspan(0, 32));
    store.mac_key_ = SecureBytes(master->span().subspan(32, 32));
    return store;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(HsmError::io, fmt::format("cannot read {}", path));
  const std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
  if (file.size() < 8 + 2 + 8 + kSaltSize + kCheckSize + 4 + kMacSize) return corrupt("too short");
  Reader r(file);
  const auto magic = r.bytes(8);
  if (!std::equal(magic.begin(), magic.end(), kMagic)) return corrupt("not a cardd keystore");
  if (r.u(1) != kFormat) return corrupt("unknown format version");
  const auto log2n = static_cast<std::uint8_t>(r.u(1));
  const std::uint32_t cost_r = r.u(4), cost_p = r.u(4);
  const auto salt = r.bytes(kSaltSize);
  const auto check = r.bytes(kCheckSize);
  auto master = derive_master(passphrase, salt, log2n, cost_r, cost_p);
  if (!master) return master.error();
  store.salt_.assign(salt.begin(), salt.end());
  store.wrap_key_ = SecureBytes(master->span().subspan(0, 32));
  store.mac_key_ = SecureBytes(master->span().subspan(32, 32));
  const auto expected_check =
      hmac(store.mac_key_,
           std::span(reinterpret_cast<const std::uint8_t*>(kCheckLabel), sizeof(kCheckLabel) - 1));
  if (CRYPTO_memcmp(expected_check.data(), check.data(), kCheckSize) != 0)
    return make_error(HsmError::login_failed, "wrong keystore passphrase");
  const std::span<const std::uint8_t> body(file.data(), file.size() - kMacSize);
  const auto mac = hmac(store.mac_key_, body);
  if (CRYPTO_memcmp(mac.data(), file.data() + body.size(), kMacSize) != 0)
    return corrupt("integrity check failed");

  Reader records(body);
  records.bytes(r.offset());
  const std::uint32_t count = records.u(4);
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
    auto value = aes_key_wrap(store.wrap_key_, false, wrapped);
    if (!value) return value.error();
    key.value = SecureBytes(*value);
    OPENSSL_cleanse(value->data(), value->size());
    if (key.value.size() != key_length(key.info.spec.algorithm))
      return corrupt("key length does not fit its algorithm");
    store.keys_.push_back(std::move(key));
  }
  if (records.failed() || records.offset() != body.size())
    return corrupt("truncated or trailing data");
  return store;
}

Status Keystore::save(const std::vector<const StoredKey*>& keys) {
  std::vector<std::uint8_t> out(kMagic, kMagic + 8);
  out.push_back(kFormat);
  out.push_back(kLog2N);
  put(out, kR, 4);
  put(out, kP, 4);
  out.insert(out.end(), salt_.begin(), salt_.end());
  const auto check = hmac(mac_key_, std::span(reinterpret_cast<const std::uint8_t*>(kCheckLabel),
                                              sizeof(kCheckLabel) - 1));
  out.insert(out.end(), check.begin(), check.begin() + kCheckSize);
  put(out, static_cast<std::uint32_t>(keys.size()), 4);
  for (const StoredKey* key : keys) {
    auto wrapped = aes_key_wrap(wrap_key_, true, key->value.span());
    if (!wrapped) return wrapped.error();
    const std::string& name = key->info.spec.name;
    put(out, static_cast<std::uint32_t>(name.size()), 2);
    out.insert(out.end(), name.begin(), name.end());
    put(out, static_cast<std::uint32_t>(key->info.spec.algorithm), 1);
    put(out, pack_policy(key->info.spec), 4);
    put(out, key->info.spec.version, 4);
    out.insert(out.end(), key->info.kcv.begin(), key->info.kcv.end());
    put(out, static_cast<std::uint32_t>(wrapped->size()), 2);
    out.insert(out.end(), wrapped->begin(), wrapped->end());
  }
  const auto mac = hmac(mac_key_, out);
  out.insert(out.end(), mac.begin(), mac.end());
  return write_atomically(path_, out);
}

}  // namespace cardd::hsm
