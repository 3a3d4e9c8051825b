// The print step of an encoded card: ENCODED → PRINTING → PRINTED.
//
// The faces are rendered (and pass QC) before anything changes; then the
// application is PRINTING and each side goes to the printer through
// print_with_retry, named after the application and the card's chip, so a
// retried or resumed print never prints a side twice. A printer that stays
// off or failing leaves the application safely in PRINTING: calling print()
// again later resumes and finds what the printer already has.
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/result.h"
#include "cardd/printer/face_renderer.h"
#include "cardd/printer/print_retry.h"
#include "cardd/printer/printer.h"
#include "cardd/region/region.h"
#include "cardd/server/clock.h"
#include "cardd/server/issuance_repositories.h"

namespace cardd::server {

struct PrintResult {
  int submissions = 0;  // documents sent (0 when a resumed print found both)
  int attempts = 0;
};

class PrintStation {
 public:
  // `region` must outlive the station (texts and banks of the documents);
  // `store` needs a sealer (the face carries personal data).
  PrintStation(IssuanceRepositories store, printer::Printer& printer, printer::FaceRenderer& faces,
               const region::Region& region, printer::RetryPolicy retry, std::string actor,
               Clock clock = system_clock());

  // From ENCODED, or PRINTING (resume). Errors: the renderer's QC errors
  // (nothing changed), the printer's errors (application stays PRINTING).
  Result<PrintResult> print(std::string_view application_id);

 private:
  IssuanceRepositories store_;
  printer::Printer& printer_;
  printer::FaceRenderer& faces_;
  const region::Region& region_;
  printer::RetryPolicy retry_;
  std::string actor_;
  Clock clock_;
};

}  // namespace cardd::server
