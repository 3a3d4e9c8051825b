// Personal data the issuance keeps beside the application (the prepared
// card) is stored only encrypted under HSM keys: AES-256-CBC with a random IV,
// then a CMAC over IV and ciphertext (encrypt-then-MAC), both keys generated
// inside the HSM on first use and never leaving it. A record that was
// altered or sealed under other keys does not open.
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/db/store.h"
#include "cardd/hsm/hsm.h"

namespace cardd::server {

class RecordSealer {
 public:
  // Creates the two storage keys when the HSM has none (audited).
  static Result<RecordSealer> open(hsm::Hsm& hsm, db::Store& store, std::string_view actor);

  Result<std::string> seal(std::string_view plain);
  // Errors: hsm.* from the HSM; prepare.bad_record when the record is not
  // one this sealer made or was altered.
  Result<std::string> unseal(std::string_view sealed);

 private:
  explicit RecordSealer(hsm::Hsm& hsm) : hsm_(&hsm) {}
  hsm::Hsm* hsm_;
};

}  // namespace cardd::server
