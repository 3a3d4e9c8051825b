#include "cardd/server/issuance.h"

#include <fmt/format.h>

#include "cardd/common/civil_time.h"
#include "cardd/hsm/factory.h"
#include "claim_holder.h"

namespace cardd::server {
namespace {

using personalization::EncodeError;
using personalization::PrepareError;

Error illegal(std::string_view id, db::AppState state, std::string_view what) {
  return make_error(db::DbError::illegal_transition,
                    fmt::format("application {} is {}: cannot {}", id, to_string(state), what));
}

}  // namespace

Issuance::Issuance(IssuanceRepositories store, hsm::Hsm& hsm, personalization::CardProfile profile,
                   std::string actor, Clock clock)
    : store_(store),
      hsm_(hsm),
      profile_(std::move(profile)),
      actor_(std::move(actor)),
      clock_(std::move(clock)) {
  const auto needed = personalization::hsm_requirements(profile_);
  hsm_cannot_ = hsm::describe_unsupported(hsm_, needed);
}

Result<personalization::HolderData> Issuance::holder(std::string_view id,
                                                     const db::ApplicationDetails& details) {
  auto personal = store_.applications.sensitive(id, actor_, "data preparation");
  if (!personal) return personal.error();
  personalization::HolderData h;
  h.name = std::move(personal->name);
  h.id_number = std::move(personal->id_number);
  h.female = details.female;
  h.ethnicity = details.ethnicity;
  h.issuing_bank = details.issuing_bank;
  h.photo = std::move(personal->photo);
  h.birth_date = details.birth_date;
  if (h.name.empty() || h.id_number.empty())
    return make_error(PrepareError::bad_record,
                      fmt::format("application {}: stored data incomplete", id));
  return h;
}

Result<personalization::PreparedCard> Issuance::load_prepared(std::string_view id,
                                                              std::string_view purpose) {
  auto record = store_.cards.prepared(id, actor_, purpose);
  if (!record) return record.error();
  if (!*record)
    return make_error(db::DbError::corrupt, fmt::format("application {} has no prepared card", id));
  return personalization::prepared_card_from_json((*record)->data);
}

Result<personalization::PreparedCard> Issuance::prepare(std::string_view id) {
  auto status = store_.applications.status(id);
  if (!status) return status.error();
  if (status->state == db::AppState::validated) {
    if (auto s = store_.applications.transition(id, db::AppState::queued, actor_,
                                                "queued for preparation");
        !s)
      return s.error();
  } else if (status->state != db::AppState::queued) {
    return illegal(id, status->state, "prepare");
  }
  // A re-queued application keeps the numbers of its first preparation.
  auto existing = store_.cards.prepared(id, actor_, "re-queued: the card keeps its numbers");
  if (!existing) return existing.error();
  if (*existing) {
    auto card = personalization::prepared_card_from_json((*existing)->data);
    if (!card) return card.error();
    if (auto s = store_.cards.save_prepared(id, **existing, actor_); !s) return s.error();
    return card;
  }
  if (!status->details)
    return make_error(PrepareError::bad_record,
                      fmt::format("application {}: stored data incomplete", id));
  auto holder_data = holder(id, *status->details);
  if (!holder_data) return holder_data.error();
  const personalization::IssuerSpec& issuer = profile_.issuer;
  const personalization::BankSpec* bank = issuer.bank(holder_data->issuing_bank);
  const auto fail = [&](const Error& e) -> Error {
    (void)store_.audit_log.audit(actor_, "prepare.failed", id, e.describe());
    return e;
  };
  if (bank == nullptr)
    return fail(make_error(
        PrepareError::unknown_bank,
        fmt::format("no BIN configured for issuing bank {}", holder_data->issuing_bank)));
  auto card_counter = store_.cards.allocate("card_number:" + profile_.name,
                                            issuer.card_number_first, issuer.card_number_last);
  if (!card_counter) return fail(card_counter.error());
  std::int64_t last_account = 1;
  for (int i = 0; i < bank->account_digits; ++i) last_account *= 10;
  auto account = store_.cards.allocate("account:" + bank->bin, 1, last_account - 1);
  if (!account) return fail(account.error());
  auto card = personalization::prepare_card(
      profile_, *holder_data, personalization::format_card_number(issuer, *card_counter),
      personalization::make_pan(*bank, *account), local_date(clock_(), issuer.utc_offset));
  if (!card) return fail(card.error());
  db::PreparedRecord record;
  record.profile = profile_.name;
  record.card_number = card->card_number;
  record.pan = card->pan;
  record.issue_date = card->issue_date;
  record.expiry_date = card->expiry_date;
  record.bank = holder_data->issuing_bank;
  record.name = holder_data->name;
  record.id_number = holder_data->id_number;
  record.data = personalization::to_json(*card);
  if (auto s = store_.cards.save_prepared(id, record, actor_); !s) return fail(s.error());
  return card;
}

Result<std::optional<EncodeOutcome>> Issuance::recover_interrupted(std::string_view id,
                                                                   card::Reader& reader) {
  auto claim = store_.cards.active_claim(id);
  if (!claim) return claim.error();
  if (!*claim)
    return make_error(db::DbError::corrupt,
                      fmt::format("application {} is ENCODING without a card", id));
  const db::CardClaim& held = **claim;
  if (holder_alive(held, unix_now()))
    return make_error(db::DbError::claim_held,
                      fmt::format("application {} is being encoded on chip {} by {}", id,
                                  held.chip_id, held.holder));
  (void)reader.connect();
  if (auto in_hand = personalization::read_chip_id(reader); in_hand && *in_hand == held.chip_id)
    return settle_card_in_hand(id, held, reader);
  if (held.written)
    return make_error(
        db::DbError::claim_held,
        fmt::format("application {}: the interrupted session ({}) may have written chip {}; put "
                    "that card in a reader to be checked before a new card is made",
                    id, held.holder, held.chip_id));
  if (auto s = store_.cards.spoil_card(id, held.chip_id, "interrupted", actor_); !s)
    return s.error();
  return std::optional<EncodeOutcome>();
}

Result<std::optional<EncodeOutcome>> Issuance::settle_card_in_hand(std::string_view id,
                                                                   const db::CardClaim& claim,
                                                                   card::Reader& reader) {
  auto card = load_prepared(id, "recover an interrupted encoding");
  if (!card) return card.error();
  auto complete = personalization::verify_card(reader, hsm_, profile_, *card);
  if (complete) {
    if (auto s = store_.cards.finish_card(id, claim.chip_id, actor_); !s) return s.error();
    (void)store_.audit_log.audit(actor_, "card.recovered", claim.chip_id,
                                 "complete after an interrupted session");
    return std::optional<EncodeOutcome>(
        EncodeOutcome{complete->chip_id, card->card_number, complete->card_identification_code, 0});
  }
  // Incomplete (or not what was prepared): it must never be usable, since
  // the next card carries the same card number.
  if (auto t = personalization::terminate_card(reader, hsm_, profile_, *card); !t)
    return make_error(db::DbError::claim_held,
                      fmt::format("application {}: chip {} of the interrupted session is "
                                  "incomplete ({}) and could not be terminated ({}); it keeps the "
                                  "claim until it is",
                                  id, claim.chip_id, complete.error().message, t.error().message));
  if (auto s = store_.cards.spoil_card(id, claim.chip_id, "interrupted_terminated", actor_); !s)
    return s.error();
  (void)store_.audit_log.audit(actor_, "card.spoiled", claim.chip_id,
                               "interrupted, terminated: " + complete.error().describe());
  return make_error(db::DbError::card_used,
                    fmt::format("chip {} of the interrupted session was incomplete: terminated "
                                "and spoiled; application {} is queued for a new blank card",
                                claim.chip_id, id));
}

Status Issuance::spoil_unprinted(std::string_view id, card::Reader& reader, const Error& why) {
  auto chip = encoded_chip(store_.cards, id);
  if (!chip) return chip.error();
  auto card = load_prepared(id, "spoil a card the printer gave up on");
  if (!card) return card.error();
  return spoil_failed(id, *chip, true, *card, reader, "print_failed", why);
}

Status Issuance::spoil_failed(std::string_view id, const std::string& chip, bool written,
                              const personalization::PreparedCard& card, card::Reader& reader,
                              std::string_view reason, const Error& why) {
  std::string terminated = "never written";
  bool retire = false;
  if (written) {
    auto t = personalization::terminate_card(reader, hsm_, profile_, card);
    // A card gone from its reader with data on it cannot be made unusable,
    // so no other card may carry its numbers.
    retire = !t;
    terminated = t ? "terminated"
                   : fmt::format(
                         "not terminated: {}; card number {} and its PAN retired, the "
                         "next card gets new numbers",
                         t.error().message, card.card_number);
  }
  const auto s = retire ? store_.cards.spoil_card_retiring_numbers(id, chip, reason, actor_)
                        : store_.cards.spoil_card(id, chip, reason, actor_);
  if (!s) return s;
  (void)store_.audit_log.audit(actor_, "card.spoiled", chip,
                               fmt::format("{} ({})", why.describe(), terminated));
  return {};
}

Result<EncodeOutcome> Issuance::encode(std::string_view id, card::Reader& reader,
                                       const std::function<void(std::string_view)>& progress) {
  if (!hsm_cannot_.empty())
    return make_error(EncodeError::hsm_failure,
                      fmt::format("the {} HSM cannot do what profile {} needs: {}", hsm_.backend(),
                                  profile_.name, hsm_cannot_));
  auto status = store_.applications.status(id);
  if (!status) return status.error();
  if (status->state == db::AppState::encoding) {
    auto recovered = recover_interrupted(id, reader);
    if (!recovered) return recovered.error();
    if (*recovered) return std::move(**recovered);
    status->state = db::AppState::queued;
  }
  std::optional<personalization::PreparedCard> card;
  if (status->state == db::AppState::validated || status->state == db::AppState::queued) {
    auto prepared = prepare(id);
    if (!prepared) return prepared.error();
    card = std::move(*prepared);
  } else if (status->state == db::AppState::prepared) {
    auto loaded = load_prepared(id, "encode the chip");
    if (!loaded) return loaded.error();
    card = std::move(*loaded);
  } else {
    return illegal(id, status->state, "encode");
  }
  if (progress) progress(fmt::format("prepared: card number {}", card->card_number));

  const std::string holder = claim_holder(reader.name());
  std::string claimed;
  bool written = false;
  personalization::EncodeHooks hooks;
  hooks.claim_chip = [&](const std::string& chip) -> Status {
    if (auto s = store_.cards.claim_card(id, chip, actor_, holder, kClaimLeaseSeconds); !s)
      return s;
    claimed = chip;
    return {};
  };
  hooks.hold_claim = [&]() -> Status {
    if (auto s = store_.cards.hold_claim(id, claimed, holder, kClaimLeaseSeconds); !s) return s;
    written = true;
    return {};
  };
  hooks.progress = progress;
  auto result = personalization::encode_card(reader, hsm_, profile_, *card, hooks);
  if (!result) {
    // A claim taken over is the taker's to settle.
    if (!claimed.empty() && result.error().code != EncodeError::claim_lost)
      if (auto s = spoil_failed(
              id, claimed, written, *card, reader,
              personalization::spoil_reason(static_cast<EncodeError>(result.error().code.value())),
              result.error());
          !s)
        return s.error();
    return result.error();
  }
  if (auto s = store_.cards.finish_card(id, claimed, actor_); !s) return s.error();
  return EncodeOutcome{result->chip_id, card->card_number, result->card_identification_code,
                       result->commands};
}

}  // namespace cardd::server
