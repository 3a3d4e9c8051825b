// What keys are and what may be done with them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cardd::hsm {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

enum class Algorithm { des3_2key, des3_3key, aes128, aes192, aes256, sm4 };
std::string_view to_string(Algorithm a);  // "3des-2key", "aes128", "sm4", ...
std::optional<Algorithm> algorithm_from_string(std::string_view s);
std::size_t key_length(Algorithm a);  // bytes: 16, 24, 16, 24, 32, 16
std::size_t block_size(Algorithm a);  // 8 for 3DES, 16 otherwise
bool is_des(Algorithm a);

// What a key may be used for; checked on every call.
enum class Usage : std::uint32_t {
  encrypt = 1u << 0,
  decrypt = 1u << 1,
  mac = 1u << 2,
  derive = 1u << 3,
  wrap = 1u << 4,    // encrypt another key for export
  unwrap = 1u << 5,  // import a key encrypted under this one (a ZMK)
};
std::string_view to_string(Usage u);

class UsageSet {
 public:
  constexpr UsageSet() = default;
  constexpr UsageSet(std::initializer_list<Usage> usages) {
    for (const Usage u : usages) bits_ |= static_cast<std::uint32_t>(u);
  }
  static constexpr UsageSet from_bits(std::uint32_t bits) {
    UsageSet s;
    s.bits_ = bits;
    return s;
  }
  constexpr bool allows(Usage u) const { return (bits_ & static_cast<std::uint32_t>(u)) != 0; }
  constexpr std::uint32_t bits() const { return bits_; }
  std::string to_string() const;  // "encrypt,mac"
  static std::optional<UsageSet> parse(std::string_view comma_separated);
  friend constexpr bool operator==(UsageSet, UsageSet) = default;

 private:
  std::uint32_t bits_ = 0;
};

// What keys derived from a derive key may be: their usage must be a subset
// of `usage`, and they may be exportable only when `exportable` is set.
// Exportability is never gained down a chain of derivations.
struct DeriveTemplate {
  UsageSet usage;
  bool exportable = false;
  friend bool operator==(const DeriveTemplate&, const DeriveTemplate&) = default;
};

// A key has one purpose, fixed when it is made: data cipher (encrypt and/or
// decrypt), mac, derive, wrap (export other keys) or unwrap (import keys).
// Mixed sets (wrap+decrypt, derive+encrypt, ...) are refused: together they
// would let a caller turn one purpose into another (wrap a key, decrypt it).
struct KeySpec {
  std::string name;  // unique in the store; 1–64 of [A-Za-z0-9_.:/-]
  Algorithm algorithm = Algorithm::aes128;
  UsageSet usage;
  std::uint32_t version = 1;
  // May leave the HSM wrapped under a wrap key (cipher and MAC keys only:
  // the application keys a card must receive). Nothing else ever leaves.
  bool exportable = false;
  // Derive keys only; empty means kDefaultDeriveTemplate.
  DeriveTemplate derives{};
};

// Card and session keys: any single purpose but unwrap, none exportable.
inline constexpr DeriveTemplate kDefaultDeriveTemplate{
    UsageSet{Usage::encrypt, Usage::decrypt, Usage::mac, Usage::derive, Usage::wrap}, false};

// Why `spec` breaks the one-purpose rule, or an empty string when it holds.
std::string policy_violation(const KeySpec& spec);
// The spec as stored: the derive template filled in for derive keys, cleared otherwise.
KeySpec normalized(KeySpec spec);
// Usage, exportability and derive template in one word (for key stores):
// bits 0-7 usage, bit 8 exportable, bits 16-23 template usage, bit 24
// template exportable.
std::uint32_t pack_policy(const KeySpec& spec);
void unpack_policy(std::uint32_t packed, KeySpec& spec);
// "mac", "encrypt,decrypt exportable", "derive -> encrypt exportable".
std::string describe_policy(const KeySpec& spec);
// Security strength in bits (SP 800-57): 3DES-2key 80, 3DES-3key 112, AES
// and SM4 by key length. A key may be wrapped only under one at least as strong.
unsigned strength_bits(Algorithm a);

struct KeyInfo {
  KeySpec spec;
  std::string kcv;         // GlobalPlatform KCV, 3 bytes as 6 upper-case hex digits
  bool ephemeral = false;  // lives only as long as this Hsm object
};

enum class CipherMode { ecb, cbc };

enum class MacMethod {
  cmac,        // NIST SP 800-38B with the key's block cipher (AES, SM4, 3DES)
  retail_mac,  // ISO 9797-1 MAC algorithm 3 (3DES keys only); input already padded
  // ISO 9797-1 MAC algorithm 1 with single DES keyed by the first half of a
  // 3DES key; SCP02 (i = 55) encrypts the C-MAC ICV this way.
  des_k1_mac,
};

// key = E(base, data): GlobalPlatform SCP02 session keys (CBC, zero IV) and
// the 3DES card-key diversification methods (visa2, emv CPG 2.x: ECB).
struct EncryptDataDerivation {
  CipherMode mode = CipherMode::ecb;
  Bytes iv;    // empty means zeros, for CBC
  Bytes data;  // a multiple of the base key's block size
};

// Where the fields of the SP 800-108 counter-mode CMAC input go.
enum class Sp800108Layout {
  // GlobalPlatform SCP03 (Amendment D): label (11 zero bytes || constant) ||
  // 0x00 || L (16 bits) || i (8 bits) || context.
  scp03,
  // GlobalPlatformPro's "kdf3" card-key diversification: i (8 bits) ||
  // 00 00 00 || constant || 0x00 || context, no L.
  gp_kdf3,
};

// NIST SP 800-108 counter-mode KDF with CMAC.
struct Sp800108CmacDerivation {
  std::uint8_t constant = 0;
  Bytes context;
  Sp800108Layout layout = Sp800108Layout::scp03;
};

using Derivation = std::variant<EncryptDataDerivation, Sp800108CmacDerivation>;

// Operation counters, per key and usage, since the Hsm object was opened.
struct UsageCount {
  std::string key;
  Usage usage = Usage::encrypt;
  std::uint64_t count = 0;
};

}  // namespace cardd::hsm
