// The approved application as the bureau hands it to the bank
// (spec/application.md), after validation: every field parsed into its
// domain type, text NFC-normalised, images decoded from base64.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/civil_time.h"
#include "cardd/common/collection.h"
#include "cardd/intake/id_number.h"

namespace cardd::intake {

enum class Channel { website, jingtong, minsheng };
enum class Gender { male, female };
// The one collection-method type (common/collection.h); a valid application
// is mail or branch, never unknown.
using Collection = cardd::CollectionMethod;
enum class IdType { resident_id };

std::string_view to_string(Channel v);
std::string_view to_string(Gender v);
std::string_view to_string(IdType v);
std::optional<Channel> channel_from_string(std::string_view s);
std::optional<Gender> gender_from_string(std::string_view s);

struct Recipient {
  std::string name;
  std::string mobile;
  std::string district;
  std::string postal_code;
  std::string address;
};

struct Application {
  std::string application_id;
  Channel channel = Channel::website;
  std::string submitted_at;  // as sent (RFC 3339)
  UnixSeconds submitted_at_unix = 0;
  std::string name;  // NFC
  IdType id_type = IdType::resident_id;
  IdNumber id_number;
  CivilDate id_valid_from;
  std::optional<CivilDate> id_valid_to;  // nullopt: long-term (长期) or absent
  bool id_valid_long_term = false;
  Gender gender = Gender::male;
  CivilDate birth_date;
  std::string nationality;  // ISO 3166-1 alpha-3
  std::string ethnicity;    // GB/T 3304 code
  std::string occupation;
  std::string residence_district;
  std::string residence_address;  // NFC
  std::string mobile;
  std::string issuing_bank;
  std::string issuing_branch;
  std::string pension_bank;
  std::string pension_branch;
  bool first_application = false;
  Collection collection = Collection::mail;
  std::optional<Recipient> recipient;  // present exactly when collection == mail
  std::string photo;                   // JPEG bytes
  std::string id_front;                // JPEG bytes
  std::string id_back;                 // JPEG bytes
};

// One problem with one field. `code` is stable and machine-readable
// ("id_number.checksum"); `message` is for people and holds no personal data.
struct FieldError {
  std::string field;
  std::string code;
  std::string message;
};

}  // namespace cardd::intake
