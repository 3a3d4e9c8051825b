// QC after printing: PRINTED → QC_PASSED when the chip (read back through
// its public commands and the reading key, as a counter would), the face
// values handed to the printer and the application agree on name, ID
// number, card number and issue date, and the chip's personalization is
// closed (card SECURED, applications PERSONALIZED, by GET STATUS). Otherwise the card
// is SPOILED as qc_mismatch and the application queued for a new card.
//
// Thread safety: as Issuance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cardd/card/reader.h"
#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/region/region.h"
#include "cardd/server/clock.h"
#include "cardd/server/fulfilment_error.h"
#include "cardd/server/issuance_repositories.h"

namespace cardd::server {

struct QcOutcome {
  std::string chip_id;
  bool passed = false;
  std::vector<std::string> mismatches;  // what disagreed ("name", …), never the values
};

class QualityCheck {
 public:
  // `profile` and `region` must outlive the check; `store` needs a sealer.
  // `hsm` holds the reading keys' and the card manager's master keys.
  QualityCheck(IssuanceRepositories store, hsm::Hsm& hsm,
               const personalization::CardProfile& profile, const region::Region& region,
               std::string actor, Clock clock = system_clock());

  // The application's printed card in `reader`. Errors (nothing changes):
  // illegal_transition unless PRINTED, wrong_card for another chip, the
  // reader's errors.
  Result<QcOutcome> check(std::string_view application_id, card::Reader& reader);

 private:
  IssuanceRepositories store_;
  hsm::Hsm& hsm_;
  const personalization::CardProfile& profile_;
  const region::Region& region_;
  std::string actor_;
  Clock clock_;
};

}  // namespace cardd::server
