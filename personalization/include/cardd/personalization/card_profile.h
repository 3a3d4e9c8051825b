// The card profile: what goes on the chip and how, as data (spec/card.md).
// Code reads the profile; it never hard-codes a province's layout. Each
// region's profile ships as profiles/<region>/chip.toml; what the region
// decides besides the layout (region and vendor codes, banks, civil time)
// comes from its region.toml and is filled in by server::with_region_issuer().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cardd/card/ber_tlv.h"
#include "cardd/common/civil_time.h"
#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/hsm/types.h"

namespace cardd::personalization {

enum class ProfileError {
  unreadable = 1,  // the file cannot be read or is not TOML
  invalid,         // one or more problems; the message lists every one with its location
};
const std::error_category& profile_category();
inline std::error_code make_error_code(ProfileError e) {
  return {static_cast<int>(e), profile_category()};
}

// How a value is written on the chip.
enum class Encoding {
  an,       // ASCII letters, digits and spaces; exactly `length` characters
  ans,      // printable ASCII (e.g. the spec version "3.00"); exactly `length` characters
  cn,       // BCD digits, left-justified, padded with F nibbles to `length` bytes
  gb18030,  // text in GB 18030, padded to `length` bytes (00, or FF as the element says)
  binary,   // bytes as they are
};

// A data element (one TLV) of a record.
struct ElementSpec {
  card::Tag tag = 0;
  std::string item;  // a data item of data preparation, e.g. "holder.name"
  Encoding encoding = Encoding::an;
  std::size_t length = 0;   // bytes on the chip (binary: the maximum)
  std::uint8_t pad = 0x00;  // gb18030: the byte that fills the rest
};

// A record: `tag` + its one element's value, or a template (`constructed`)
// holding each element as its own TLV (EMV style).
struct RecordSpec {
  card::Tag tag = 0;
  std::vector<ElementSpec> elements;
  bool constructed = false;
  bool optional = false;  // left out when its item is empty (e.g. a name extension)
  std::string where;      // location in the profile, for messages
};

enum class FileType { records, transparent };
// How the application's own READ RECORD addresses a record: by its tag
// (social security files) or by its number (EMV files).
enum class Addressing { tag, number };

// What reading or updating a file takes (vcard and real cards enforce it).
struct AccessCondition {
  enum class Kind : std::uint8_t { free = 0x00, pin = 0x01, key = 0x02, never = 0xFF };
  Kind kind = Kind::free;
  std::uint8_t key = 0;  // Kind::key: the reference of the key EXTERNAL AUTHENTICATE proves
  std::string role;      // Kind::key: that key's role, for messages
};

struct AccessRule {
  AccessCondition read;
  AccessCondition update{AccessCondition::Kind::never, 0, {}};
};

struct FileSpec {
  std::string name;
  AccessRule access;
  std::uint16_t fid = 0;
  std::uint8_t sfi = 0;
  FileType type = FileType::records;
  Addressing addressing = Addressing::tag;
  std::vector<RecordSpec> records;     // records: record n is records[n-1]
  std::optional<ElementSpec> content;  // transparent: the item it holds
};

// How a per-card key is derived from its issuer master key in the HSM.
enum class Diversification {
  sp800_108_cmac,  // AES/SM4: SP 800-108 counter-mode CMAC KDF (SCP03 layout, CHIP ID)
  emv_cpg,         // 3DES card-manager keys: EMV CPS / GP CPG 2.x from the KDD
  pboc,            // 3DES application keys: E(MK, D) || E(MK, ~D), D from the card number
  kdf3,            // SCP03 card-manager keys as GlobalPlatformPro's kdf3: the 10-byte KDD
};
std::string_view to_string(Diversification d);

struct AppKeySpec {
  std::uint8_t reference = 0;  // the card's key reference (INTERNAL AUTHENTICATE P2)
  std::string role;            // "internal_authentication", ...
  std::string master_key;      // issuer master key in the HSM (usage derive)
  Diversification diversification = Diversification::sp800_108_cmac;
};

struct PinSpec {
  std::string initial;  // the activation PIN the holder changes at the bank
  int try_limit = 3;
  // One initial PIN for every card is a decision the profile must name
  // (`accept_shared_initial = true`); it is printed with every encoding.
  bool shared_initial_accepted = false;
};

struct ApplicationSpec {
  std::string name;
  card::Bytes aid;
  // GlobalPlatform application life cycle set when personalization ends
  // (0F PERSONALIZED): the application then refuses STORE DATA.
  std::uint8_t final_life_cycle = 0x0F;
  std::vector<FileSpec> files;
  std::vector<AppKeySpec> keys;
  std::optional<PinSpec> pin;
};

enum class ScpProtocol { scp02, scp03 };

struct SecureChannelSpec {
  ScpProtocol protocol = ScpProtocol::scp03;
  std::uint8_t option = 0x70;  // "i" parameter
  hsm::Algorithm algorithm = hsm::Algorithm::aes128;
  std::uint8_t key_version = 0x30;
  std::uint8_t security_level = 0x33;
  std::string master_key;  // KMC in the HSM (usage derive)
  Diversification diversification = Diversification::sp800_108_cmac;
};

struct BankSpec {
  std::string code;  // issuing_bank of the application
  std::string bin;   // 6–8 digits
  int account_digits = 0;
};

// What fills the last 8 bytes of the card identification code (卡识别码).
enum class IdentificationTail {
  chip_id,    // the CHIP ID: IC fabricator, IC type, IC serial number (CPLC)
  ic_serial,  // 4 zero bytes, then the IC serial number
};

// The expiry date (卡有效期) from the issue date and the validity in years.
enum class ExpiryRule {
  anniversary,  // the same day N years later (29 Feb: 28 Feb)
  day_before,   // the day before that
};

struct IssuerSpec {
  std::string region_code;         // 6 digits (GB/T 2260); from the region, not the chip profile
  std::string card_type;           // 1 character
  std::string spec_version;        // 4 characters, e.g. "3.00"
  std::string vendor_code;         // 2 characters; from the region
  std::string issuer_org;          // 初始化机构编号: 24 digits (cn, 12 bytes)
  card::Bytes identification_rid;  // 5 bytes after the region code in the identification code
  IdentificationTail identification_tail = IdentificationTail::chip_id;
  int validity_years = 10;
  ExpiryRule expiry = ExpiryRule::anniversary;
  // Card number = prefix + zero-padded counter (8 characters) + check character.
  std::string card_number_prefix;
  std::int64_t card_number_first = 1;
  std::int64_t card_number_last = 0;
  std::string service_code;     // 3 digits, financial application
  std::vector<BankSpec> banks;  // from the region
  UtcOffset utc_offset;         // the region's civil time: the issue date is a local day

  const BankSpec* bank(std::string_view code) const;
  std::size_t card_number_digits() const { return 8 - card_number_prefix.size(); }
};

struct CardProfile {
  std::string name;
  IssuerSpec issuer;
  SecureChannelSpec secure_channel;
  std::vector<ApplicationSpec> applications;
  std::uint8_t final_life_cycle = 0x0F;  // SET STATUS value that closes personalization

  std::size_t block_size() const { return hsm::block_size(secure_channel.algorithm); }
};

// Reads and validates a profile; every problem is reported, each with its
// location ("applications[0].files[1].records[2].length: ... (line 42)").
Result<CardProfile> load_card_profile(const std::string& path);

// How the HSM must hold the master key of application keys: it derives each
// card's application keys, the only keys that leave (wrapped under the
// card's DEK). The card-manager KMC keeps the default derive template.
hsm::KeySpec application_master_key_spec(std::string name, hsm::Algorithm algorithm);
// The profile decisions an operator must see in every run ("every card gets
// the same initial PIN ..."); empty when there are none.
std::vector<std::string> profile_decisions(const CardProfile& profile);
Result<CardProfile> parse_card_profile(std::string_view toml_text, std::string_view source_name);

// What an encoding session with this profile asks of the HSM (secure
// channel, diversification, key export, key proofs), for the start-up check.
std::vector<hsm::Requirement> hsm_requirements(const CardProfile& profile);

}  // namespace cardd::personalization

template <>
struct std::is_error_code_enum<cardd::personalization::ProfileError> : std::true_type {};
