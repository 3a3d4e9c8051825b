// What a virtual card remembers across power cycles (its EEPROM): chip
// serial, card-manager keys and counters, life cycle, and the data each
// application received during personalization. vcard saves it to a state
// file after every change; tests inspect it directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace cardd::vcard {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// The card's block cipher. aes / sm4: SCP03 (i = 70) and 16-byte blocks;
// des3: SCP02 with 2-key 3DES and 8-byte blocks.
enum class Cipher { aes, sm4, des3 };
std::string_view to_string(Cipher c);  // "aes", "sm4", "des3"
std::optional<Cipher> cipher_from_string(std::string_view s);
// 8 for des3, 16 otherwise.
std::size_t block_size(Cipher c);

// Key version numbers the card answers in INITIALIZE UPDATE.
inline constexpr std::uint8_t kScp03KeyVersion = 0x30;
inline constexpr std::uint8_t kScp02KeyVersion = 0x20;

struct StaticKeys {
  Cipher cipher = Cipher::aes;
  Bytes enc, mac, dek;
  std::uint8_t version = kScp03KeyVersion;
  std::uint8_t scp02_i = 0x55;  // SCP02 option: 0x15 or 0x55 (ICV encrypted)
};

// GlobalPlatform card life cycle states.
enum class LifeCycle : std::uint8_t {
  op_ready = 0x01,
  initialized = 0x07,
  secured = 0x0F,
  locked = 0x7F,
  terminated = 0xFF  // answers nothing but its CPLC, for ever
};

// The applications that receive personalization data (the card manager
// itself holds none).
enum class Application { ssse, fin };
std::string_view to_string(Application a);  // "SSSE", "FIN"

struct Pin {
  Bytes digits;            // one decimal digit (0–9) per byte
  std::uint8_t limit = 3;  // try limit (DGI 9010; 3 until one is stored)
  std::uint8_t tries = 3;  // tries left; 0 = blocked
  friend bool operator==(const Pin&, const Pin&) = default;
};

// GlobalPlatform application life cycle: SELECTABLE takes personalization;
// an application-specific state above it (PERSONALIZED, 0F) refuses it.
inline constexpr std::uint8_t kApplicationSelectable = 0x07;

// What one operation on a file takes, as the issuer's profile set it
// (DGI A0sf at personalization; a file without one is free to read).
struct AccessCondition {
  enum class Kind : std::uint8_t { free = 0x00, pin = 0x01, key = 0x02, never = 0xFF };
  Kind kind = Kind::free;
  std::uint8_t key = 0;  // Kind::key: the key an EXTERNAL AUTHENTICATE must have used
  friend bool operator==(const AccessCondition&, const AccessCondition&) = default;
};

struct AccessRule {
  AccessCondition read;
  AccessCondition update{AccessCondition::Kind::never, 0};
  friend bool operator==(const AccessRule&, const AccessRule&) = default;
};

struct ApplicationData {
  std::uint8_t life_cycle = kApplicationSelectable;
  // SFI → its access rule.
  std::map<std::uint8_t, AccessRule> access;
  // SFI → record number → the record (a TLV, starting with its tag).
  std::map<std::uint8_t, std::map<std::uint8_t, Bytes>> records;
  // SFI → content of a transparent file (its size is what was written).
  std::map<std::uint8_t, Bytes> binaries;
  // Key reference (01 internal authentication … 05 maintenance) → key.
  std::map<std::uint8_t, Bytes> keys;
  std::optional<Pin> pin;
  friend bool operator==(const ApplicationData&, const ApplicationData&) = default;
};

struct CardState {
  Bytes serial = Bytes(4, 0);  // IC serial number, CPLC bytes 12–15
  StaticKeys keys;
  LifeCycle life_cycle = LifeCycle::initialized;
  std::uint32_t sequence = 0;  // secure-channel sequence counter
  // Failed EXTERNAL AUTHENTICATEs in a row; at the limit the card-manager
  // keys are blocked for good (INITIALIZE UPDATE answers 6983).
  std::uint8_t auth_failures = 0;
  std::uint8_t auth_limit = 10;
  ApplicationData ssse, fin;

  ApplicationData& data(Application a) { return a == Application::ssse ? ssse : fin; }
  const ApplicationData& data(Application a) const { return a == Application::ssse ? ssse : fin; }
};

}  // namespace cardd::vcard
