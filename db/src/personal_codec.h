// How typed records are kept inside the store: the clear details as JSON,
// the personal data as one sealed JSON value plus sealed images, each bound
// to its row by associated data, and the keyed hashes used for lookups.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/records.h"
#include "cardd/db/sealer.h"

namespace cardd::db {

// Keyed-hash kinds (never change: stored hashes depend on them).
inline constexpr std::string_view kHashIdNumber = "id_number";
inline constexpr std::string_view kHashName = "name";
inline constexpr std::string_view kHashPan = "pan";
// The last kIdTailLength characters of an ID number, for a branch counter's
// search.
inline constexpr std::string_view kHashIdTail = "id_tail";

// The last kIdTailLength characters, upper case (the check character may be
// an 'x'); the whole number when shorter.
std::string id_number_tail(std::string_view id_number);

// "cardd/<table>/<column>/<row>": what a sealed value is bound to.
std::string associated_data(std::string_view table, std::string_view column, std::string_view row);

std::string details_to_json(const ApplicationDetails& d);
// Errors: corrupt.
Result<ApplicationDetails> details_from_json(std::string_view json);

// An application's personal data as stored: every value sealed for its row.
struct SealedPersonal {
  std::string personal;  // name, ID number, phones, addresses
  std::string photo;
  std::string id_front;
  std::string id_back;
  std::string id_number_hash;
  std::string name_hash;
  std::string id_tail_hash;
};
Result<SealedPersonal> seal_personal(Sealer& sealer, std::string_view application_id,
                                     const PersonalData& p);
// Opens what seal_personal made; image columns may be empty (none stored).
Result<PersonalData> open_personal(Sealer& sealer, std::string_view application_id,
                                   const SealedPersonal& s);

// The sealed part of a prepared record (PAN, name, ID number, card data).
Result<std::string> seal_prepared(Sealer& sealer, std::string_view application_id,
                                  const PreparedRecord& r);
// Fills the sealed fields of `r` from `sealed`.
Status open_prepared(Sealer& sealer, std::string_view application_id, std::string_view sealed,
                     PreparedRecord& r);

// The stored rejection (JSON array of {field, code, message}); empty text:
// none.
Result<std::vector<RejectionReason>> rejection_from_json(std::string_view json);

Error no_sealer();

}  // namespace cardd::db
