#include "cardd/server/quality_check.h"

#include <fmt/format.h>

#include "cardd/personalization/card_reader.h"
#include "cardd/personalization/encoding_session.h"
#include "cardd/server/card_documents.h"

namespace cardd::server {
namespace {

std::string item(const personalization::CardContents& c, std::string_view name) {
  const auto it = c.items.find(name);
  return it == c.items.end() ? std::string() : it->second;
}

std::string compact(const CivilDate& d) {
  return fmt::format("{:04}{:02}{:02}", d.year, static_cast<unsigned>(d.month),
                     static_cast<unsigned>(d.day));
}

}  // namespace

QualityCheck::QualityCheck(IssuanceRepositories store, hsm::Hsm& hsm,
                           const personalization::CardProfile& profile,
                           const region::Region& region, std::string actor, Clock clock)
    : store_(store),
      hsm_(hsm),
      profile_(profile),
      region_(region),
      actor_(std::move(actor)),
      clock_(std::move(clock)) {}

Result<QcOutcome> QualityCheck::check(std::string_view id, card::Reader& reader) {
  auto status = store_.applications.status(id);
  if (!status) return status.error();
  if (status->state != db::AppState::printed)
    return make_error(db::DbError::illegal_transition,
                      fmt::format("application {} is {}: only a PRINTED card is checked", id,
                                  to_string(status->state)));
  auto cards = store_.cards.cards_of(id);
  if (!cards) return cards.error();
  QcOutcome out;
  for (const auto& c : *cards)
    if (c.state == db::CardState::encoded) out.chip_id = c.chip_id;
  // Another card in the reader is told apart before any key is tried on it.
  if (auto atr = reader.connect(); !atr) return atr.error();
  auto chip_id = personalization::read_chip_id(reader);
  if (!chip_id) return chip_id.error();
  if (*chip_id != out.chip_id)
    return make_error(FulfilmentError::wrong_card,
                      fmt::format("the reader holds chip {}; application {} has chip {}", *chip_id,
                                  id, out.chip_id));
  // The reading key as the expected card number diversifies it: a chip
  // with another number then reads as a mismatch, not as a refused key.
  auto chip = personalization::read_card(reader, profile_, &hsm_, status->card_number);
  if (!chip) return chip.error();

  auto personal = store_.applications.sensitive(id, actor_, "QC");
  if (!personal) return personal.error();
  auto prepared = store_.cards.prepared(id, actor_, "QC");
  if (!prepared) return prepared.error();
  if (!*prepared)
    return make_error(db::DbError::corrupt, fmt::format("application {} has no prepared card", id));
  auto documents = card_documents(store_.applications, store_.cards, id, region_, actor_, clock_());
  if (!documents) return documents.error();
  const printer::FaceData& face = documents->face;
  const db::PreparedRecord& record = **prepared;

  const auto agree = [&](const char* what, std::initializer_list<std::string> values) {
    for (const std::string& v : values)
      if (v != *values.begin()) {
        out.mismatches.emplace_back(what);
        return;
      }
  };
  agree("name", {item(*chip, "holder.name"), face.name, personal->name});
  agree("id_number", {item(*chip, "holder.ssn"), face.social_security_number, personal->id_number});
  agree("card_number", {item(*chip, "card.number"), face.card_number, record.card_number});
  agree("issue_date", {item(*chip, "card.issue_date"), compact(record.issue_date)});
  agree("issue_month", {fmt::format("{}-{}", face.issue_year, face.issue_month),
                        fmt::format("{}-{}", record.issue_date.year,
                                    static_cast<unsigned>(record.issue_date.month))});
  bool closed =
      chip->life_cycle == personalization::card_life_cycle_name(profile_.final_life_cycle);
  for (const auto& app : profile_.applications) {
    const auto it = chip->application_life_cycles.find(app.name);
    closed = closed && it != chip->application_life_cycles.end() &&
             it->second == personalization::application_life_cycle_name(app.final_life_cycle);
  }
  if (!closed) out.mismatches.emplace_back("life_cycle");

  if (!out.mismatches.empty()) {
    std::string what;
    for (const auto& m : out.mismatches) what += (what.empty() ? "" : ", ") + m;
    (void)store_.audit_log.audit(actor_, "qc.failed", id,
                                 fmt::format("card {}: {} disagree", out.chip_id, what));
    if (auto s = store_.cards.spoil_card(id, out.chip_id, "qc_mismatch", actor_); !s)
      return s.error();
    return out;
  }
  if (auto s = store_.applications.transition(
          id, db::AppState::qc_passed, actor_,
          fmt::format("card {}: chip, face and application agree", out.chip_id));
      !s)
    return s.error();
  out.passed = true;
  return out;
}

}  // namespace cardd::server
