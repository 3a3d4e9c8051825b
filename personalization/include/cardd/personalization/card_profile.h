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
  cn,       // BCD digits, left-justified, padded with F nibbles to `length` bytes
  gb18030,  // text in GB 18030, padded with 00 bytes to `length` bytes
  binary,   // bytes as they are
};

// A data element (one TLV) of a record.
struct ElementSpec {
  card::Tag tag = 0;
  std::string item;  // a data item of data preparation, e.g. "holder.name"
  Encoding encoding = Encoding::an;
  std::size_t length = 0;  // bytes on the chip (binary: the maximum)
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

struct FileSpec {
  std::string name;
  std::uint16_t fid = 0;
  std::uint8_t sfi = 0;
  FileType type = FileType::records;
  Addressing addressing = Addressing::tag;
  std::vector<RecordSpec> records;     // records: record n is records[n-1]
  std::optional<ElementSpec> content;  // transparent: the item it holds
};

// How a per-card key is derived from its issuer master key in the HSM.
enum class Diversification {
  sp800_108_cmac,  // AES/SM4: SP 800-108 counter-mode CMAC KDF (SCP03 layout)
  emv_cpg,         // 3DES card-manager keys: EMV CPS / GP CPG 2.x from the KDD
  pboc,            // 3DES application keys: E(MK, D) || E(MK, ~D), D from the card number
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

struct IssuerSpec {
  std::string region_code;   // 6 digits (GB/T 2260); from the region, not the chip profile
  std::string card_type;     // 1 character
  std::string spec_version;  // 3 characters, e.g. "300"
  std::string vendor_code;   // 2 characters; from the region
  std::string issuer_org;    // the issuing organisation's code
  int validity_years = 10;
  std::string card_number_prefix;  // card number = prefix + zero-padded counter, 9 characters
  std::int64_t card_number_first = 1;
  std::int64_t card_number_last = 0;
  std::string service_code;     // 3 digits, financial application
  std::vector<BankSpec> banks;  // from the region
  UtcOffset utc_offset;         // the region's civil time: the issue date is a local day

  const BankSpec* bank(std::string_view code) const;
  std::size_t card_number_digits() const { return 9 - card_number_prefix.size(); }
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
