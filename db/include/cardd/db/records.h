// The typed records the store hands out and takes in. JSON is how some of
// them are kept inside db/; nothing outside db/ sees it.
#pragma once

#include <string>

#include "cardd/common/civil_time.h"
#include "cardd/db/state.h"

namespace cardd::db {

// What is kept in the clear about a valid application: nothing that names
// the holder or reaches them (see PersonalData).
struct ApplicationDetails {
  std::string channel;       // website | jingtong | minsheng
  std::string submitted_at;  // RFC 3339, as sent
  std::string id_type;
  std::string id_valid_from;  // YYYY-MM-DD
  std::string id_valid_to;    // YYYY-MM-DD, "长期" (long-term) or empty
  bool female = false;
  CivilDate birth_date;
  std::string nationality;  // ISO 3166-1 alpha-3
  std::string ethnicity;    // GB/T 3304 code
  std::string occupation;
  std::string residence_district;
  std::string issuing_bank;  // bank code
  std::string issuing_branch;
  std::string pension_bank;
  std::string pension_branch;
  bool first_application = false;
  CollectionMethod collection = CollectionMethod::unknown;
  // Mail collection only: where the card goes, to route it (not whom).
  std::string recipient_district;
  std::string recipient_postal_code;
};

// Why intake rejected an application (one per problem found).
struct RejectionReason {
  std::string field;
  std::string code;  // stable, e.g. "id_number.checksum"
  std::string message;
};

// How many of an ID number's last characters a search by its tail compares
// through a keyed hash (fulfilment_repository.h, BranchQuery).
inline constexpr std::size_t kIdTailLength = 4;

// The holder's personal data: sealed at rest (db/sealer.h), read back only
// through ApplicationRepository::sensitive, which audits who read it and why. Callers must
// not log it.
struct PersonalData {
  std::string name;
  std::string id_number;
  std::string mobile;
  std::string residence_address;
  std::string recipient_name;  // mail collection only
  std::string recipient_mobile;
  std::string recipient_address;
  std::string photo;  // JPEG bytes
  std::string id_front;
  std::string id_back;
};

// Data preparation's result for one application: what is both on the chip
// and on the card face, carrier letter and label comes from here, so they
// cannot disagree. `data` is the prepared card as personalization/
// serialises it (opaque to db/). PAN, name, ID number and `data` are sealed
// at rest; the PAN is kept unique through its keyed hash.
struct PreparedRecord {
  std::string profile;
  std::string card_number;
  std::string pan;
  CivilDate issue_date;
  CivilDate expiry_date;
  std::string bank;  // issuing bank code
  std::string name;
  std::string id_number;
  std::string data;
};

}  // namespace cardd::db
