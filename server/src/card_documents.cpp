#include "cardd/server/card_documents.h"

#include <fmt/format.h>

#include "cardd/common/civil_time.h"

namespace cardd::server {
namespace {

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

}  // namespace

Result<CardDocuments> card_documents(db::ApplicationRepository& applications,
                                     db::CardRepository& cards, std::string_view id,
                                     const region::Region& region, std::string_view actor,
                                     UnixSeconds now, std::string_view tracking_number) {
  auto status = applications.status(id);
  if (!status) return status.error();
  if (status->state == db::AppState::rejected || !status->details)
    return make_error(
        db::DbError::illegal_transition,
        fmt::format("application {} is {}: nothing to print", id, to_string(status->state)));
  const db::ApplicationDetails& app = *status->details;
  auto personal = applications.sensitive(id, actor, "card face, carrier letter and label");
  if (!personal) return personal.error();
  auto prepared = cards.prepared(id, actor, "card face, carrier letter and label");
  if (!prepared) return prepared.error();
  CardDocuments d;
  d.placeholder_card_number = !prepared->has_value();
  // What is on the chip as well (name, ID number, card number, issue date,
  // bank) comes from the prepared record, so face and chip cannot disagree.
  // PLACEHOLDERS: "X" + 8 digits for an unprepared card, "PH" + 12 digits
  // until shipping allocates the tracking number.
  const std::string card_number = d.placeholder_card_number
                                      ? fmt::format("X{:08}", fnv1a(id) % 100'000'000ULL)
                                      : (*prepared)->card_number;
  const bool placeholder_tracking = tracking_number.empty();
  const std::string tracking =
      placeholder_tracking
          ? fmt::format("PH{:012}", fnv1a(std::string(id) + "/tracking") % 1'000'000'000'000ULL)
          : std::string(tracking_number);
  const std::string bank =
      region.bank_name(d.placeholder_card_number ? app.issuing_bank : (*prepared)->bank);
  const std::string& branch = app.issuing_branch;
  const bool mail = app.collection == CollectionMethod::mail;
  const CivilDate issued =
      d.placeholder_card_number ? local_date(now, region.utc_offset()) : (*prepared)->issue_date;

  printer::FaceData& face = d.face;
  face.name = d.placeholder_card_number ? personal->name : (*prepared)->name;
  face.social_security_number =
      d.placeholder_card_number ? personal->id_number : (*prepared)->id_number;
  face.card_number = card_number;
  face.issue_year = issued.year;
  face.issue_month = static_cast<int>(issued.month);
  face.bank_name = bank;
  face.service_hotline = region.service_hotline;
  face.vendor_code = d.placeholder_card_number ? "SAMPLE" : region.vendor_code;
  face.photo_jpeg = std::move(personal->photo);

  printer::CarrierLetter& letter = d.letter;
  letter.title = region.texts.letter_title;
  letter.application_id = std::string(id);
  letter.holder_name = face.name;
  letter.address = mail ? personal->recipient_address : personal->residence_address;
  letter.postal_code = mail ? app.recipient_postal_code : std::string();
  letter.card_number = card_number;
  letter.placeholder_card_number = d.placeholder_card_number;
  letter.bank_name = bank;
  letter.mail = mail;
  letter.branch = branch;
  letter.courier = region.courier;
  letter.tracking_number = tracking;
  letter.service_hotline = region.service_hotline;

  // Mail: to the recipient. Branch collection: the card goes to the branch.
  printer::MailingLabel& label = d.label;
  label.application_id = std::string(id);
  label.sender = region::fill(region.texts.label_sender, {{"bank", bank}});
  label.recipient_name =
      mail ? personal->recipient_name
           : region::fill(region.texts.branch_recipient, {{"bank", bank}, {"branch", branch}});
  label.address = mail ? personal->recipient_address
                       : region::fill(region.texts.branch_address, {{"name", face.name}});
  label.postal_code = mail ? app.recipient_postal_code : std::string();
  label.courier = letter.courier;
  label.tracking_number = tracking;
  label.placeholder_tracking_number = placeholder_tracking;
  return d;
}

}  // namespace cardd::server
