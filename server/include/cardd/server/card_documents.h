// What is printed for one application, from its stored data: the card face,
// the carrier letter and the mailing label. The card number is the one data
// preparation allocated; before preparation (a preview) it is a PLACEHOLDER,
// and so is the tracking number until a courier allocates one (shipping).
#pragma once

#include <string>
#include <string_view>

#include "cardd/common/civil_time.h"
#include "cardd/common/result.h"
#include "cardd/db/application_repository.h"
#include "cardd/db/card_repository.h"
#include "cardd/printer/documents.h"
#include "cardd/printer/face.h"
#include "cardd/region/region.h"

namespace cardd::server {

struct CardDocuments {
  printer::FaceData face;
  printer::CarrierLetter letter;
  printer::MailingLabel label;
  bool placeholder_card_number = false;
};

// The store behind `applications` and `cards` needs a sealer; reading the holder's data is audited
// as `actor`. What the chip holds too (name, ID number, card number, issue date, bank) comes from
// the prepared record; `now` dates only an unprepared preview. Bank names, hotline, courier, vendor
// code, wording and the preview's civil time come from `region`. `tracking_number` is the
// shipped card's (db::FulfilmentRepository::shipment); empty before shipping. Errors: not_found,
// illegal_transition for a rejected application, the store's.
Result<CardDocuments> card_documents(db::ApplicationRepository& applications,
                                     db::CardRepository& cards, std::string_view application_id,
                                     const region::Region& region, std::string_view actor,
                                     UnixSeconds now, std::string_view tracking_number = {});

}  // namespace cardd::server
