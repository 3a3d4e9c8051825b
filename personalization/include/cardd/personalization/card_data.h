// Data preparation: what one card carries, built from a validated
// application, the profile and the numbers allocated for it. The result is
// stored (sealed) and handed to the encoding session; the chip serial and
// the keys are added there, when the blank card is known.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <system_error>

#include "cardd/common/civil_time.h"
#include "cardd/common/result.h"
#include "cardd/personalization/card_profile.h"

namespace cardd::personalization {

enum class PrepareError {
  unencodable_text = 1,  // a character GB 18030 cannot encode
  too_long,              // a value does not fit its place on the chip
  unknown_bank,          // no BIN configured for the issuing bank
  bad_value,             // a value of the wrong shape (never PII in the message)
  bad_record,            // a stored prepared record that cannot be read back
};
const std::error_category& prepare_category();
inline std::error_code make_error_code(PrepareError e) {
  return {static_cast<int>(e), prepare_category()};
}

// The holder's data that goes on the chip (from the validated application).
struct HolderData {
  std::string name;       // NFC UTF-8
  std::string id_number;  // 18 characters; the social security number
  bool female = false;
  std::string ethnicity;  // GB/T 3304, 2 digits
  CivilDate birth_date;
  std::string issuing_bank;  // code, selects the BIN
  std::string photo;         // the bureau's JPEG (the chip's copy is re-encoded to fit)
};

struct PreparedCard {
  std::string profile;
  std::string card_number;  // 9 characters
  std::string pan;
  CivilDate issue_date;
  CivilDate expiry_date;
  // Data items encoded as the profile writes them (card.identification_code
  // is added by the encoding session).
  std::map<std::string, card::Bytes, std::less<>> items;
};

// Builds every data item the profile names. Errors: unencodable_text,
// too_long, bad_value.
Result<PreparedCard> prepare_card(const CardProfile& profile, const HolderData& holder,
                                  std::string card_number, std::string pan, CivilDate issue_date);

// prefix + counter zero-padded to 8 characters + check character.
std::string format_card_number(const IssuerSpec& issuer, std::int64_t counter);
// The card number's check character over its 8 characters (digits and
// capital letters, A–Z as 10–35 as in GB 11714): weights 3,7,9,10,5,8,4,2,
// r = sum mod 11, 11 − r with 10 written X and 11 written 0.
char card_number_check_character(std::string_view eight);
// BIN + account counter zero-padded + Luhn check digit.
std::string make_pan(const BankSpec& bank, std::int64_t account);
// The Luhn (ISO/IEC 7812-1) check digit for `digits`.
char luhn_check_digit(std::string_view digits);
// 卡识别码, 16 bytes: the region code (6 digits, BCD), the profile's RID
// (D156000005) and 8 bytes chosen by the profile from the CHIP ID (8 bytes:
// IC fabricator, IC type, IC serial number). Error bad_value: no such chip.
Result<card::Bytes> card_identification_code(const IssuerSpec& issuer, card::ByteView chip_id);

// GB 18030 text, for the chip; unencodable_text names the position only.
Result<card::Bytes> to_gb18030(std::string_view utf8);
Result<std::string> from_gb18030(card::ByteView bytes);

// The prepared card as JSON (for the store, which seals it) and back.
std::string to_json(const PreparedCard& card);
Result<PreparedCard> prepared_card_from_json(std::string_view json);

}  // namespace cardd::personalization

template <>
struct std::is_error_code_enum<cardd::personalization::PrepareError> : std::true_type {};
