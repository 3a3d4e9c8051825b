#include "cardd/server/issuance.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cardd/common/civil_time.h"
#include "cardd/hsm/factory.h"
#include "record_sealer.h"

namespace cardd::server {
namespace {

using personalization::EncodeError;
using personalization::PrepareError;

Error illegal(std::string_view id, db::AppState state, std::string_view what) {
  return make_error(db::DbError::illegal_transition,
                    fmt::format("application {} is {}: cannot {}", id, to_string(state), what));
}

}  // namespace

Issuance::Issuance(db::Store& store, hsm::Hsm& hsm, personalization::CardProfile profile,
                   std::string actor)
    : store_(store), hsm_(hsm), profile_(std::move(profile)), actor_(std::move(actor)) {
  const auto needed = personalization::hsm_requirements(profile_);
  hsm_cannot_ = hsm::describe_unsupported(hsm_, needed);
}

Result<personalization::HolderData> Issuance::holder(std::string_view id) {
  auto status = store_.status(id);
  if (!status) return status.error();
  auto sensitive = store_.sensitive(id);
  if (!sensitive) return sensitive.error();
  const auto j = nlohmann::json::parse(status->public_data, nullptr, false);
  const auto text = [&](const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
  };
  personalization::HolderData h;
  h.name = text("name");
  h.id_number = sensitive->id_number;
  h.female = text("gender") == "female";
  h.ethnicity = text("ethnicity");
  h.issuing_bank = text("issuing_bank");
  h.photo = sensitive->photo;
  const auto birth = CivilDate::parse_iso(text("birth_date"));
  if (h.name.empty() || !birth)
    return make_error(PrepareError::bad_record,
                      fmt::format("application {}: stored data incomplete", id));
  h.birth_date = *birth;
  return h;
}

Result<personalization::PreparedCard> Issuance::load_prepared(const db::PreparedRecord& record) {
  auto sealer = RecordSealer::open(hsm_, store_, actor_);
  if (!sealer) return sealer.error();
  auto json = sealer->unseal(record.data);
  if (!json) return json.error();
  return personalization::prepared_card_from_json(*json);
}

Result<personalization::PreparedCard> Issuance::prepare(std::string_view id) {
  auto status = store_.status(id);
  if (!status) return status.error();
  if (status->state == db::AppState::validated) {
    if (auto s = store_.transition(id, db::AppState::queued, actor_, "queued for preparation"); !s)
      return s.error();
  } else if (status->state != db::AppState::queued) {
    return illegal(id, status->state, "prepare");
  }
  // A re-queued application keeps the numbers of its first preparation.
  auto existing = store_.prepared(id);
  if (!existing) return existing.error();
  if (*existing) {
    auto card = load_prepared(**existing);
    if (!card) return card.error();
    if (auto s = store_.save_prepared(id, **existing, actor_); !s) return s.error();
    return card;
  }
  auto holder_data = holder(id);
  if (!holder_data) return holder_data.error();
  const personalization::IssuerSpec& issuer = profile_.issuer;
  const personalization::BankSpec* bank = issuer.bank(holder_data->issuing_bank);
  const auto fail = [&](const Error& e) -> Error {
    (void)store_.audit(actor_, "prepare.failed", id, e.describe());
    return e;
  };
  if (bank == nullptr)
    return fail(make_error(
        PrepareError::unknown_bank,
        fmt::format("no BIN configured for issuing bank {}", holder_data->issuing_bank)));
  auto card_counter = store_.allocate("card_number:" + profile_.name, issuer.card_number_first,
                                      issuer.card_number_last);
  if (!card_counter) return fail(card_counter.error());
  std::int64_t last_account = 1;
  for (int i = 0; i < bank->account_digits; ++i) last_account *= 10;
  auto account = store_.allocate("account:" + bank->bin, 1, last_account - 1);
  if (!account) return fail(account.error());
  auto card = personalization::prepare_card(
      profile_, *holder_data, personalization::format_card_number(issuer, *card_counter),
      personalization::make_pan(*bank, *account), local_date(unix_now(), issuer.utc_offset));
  if (!card) return fail(card.error());
  auto sealer = RecordSealer::open(hsm_, store_, actor_);
  if (!sealer) return fail(sealer.error());
  auto sealed = sealer->seal(personalization::to_json(*card));
  if (!sealed) return fail(sealed.error());
  const db::PreparedRecord record{profile_.name, card->card_number, card->pan, std::move(*sealed)};
  if (auto s = store_.save_prepared(id, record, actor_); !s) return s.error();
  return card;
}

Status Issuance::recover_interrupted(std::string_view id) {
  auto cards = store_.cards_of(id);
  if (!cards) return cards.error();
  for (const auto& c : *cards)
    if (c.state == db::CardState::encoding)
      return store_.spoil_card(id, c.chip_id, "interrupted", actor_);
  return make_error(db::DbError::corrupt,
                    fmt::format("application {} is ENCODING without a card", id));
}

Result<EncodeOutcome> Issuance::encode(std::string_view id, card::Reader& reader,
                                       const std::function<void(std::string_view)>& progress) {
  if (!hsm_cannot_.empty())
    return make_error(EncodeError::hsm_failure,
                      fmt::format("the {} HSM cannot do what profile {} needs: {}", hsm_.backend(),
                                  profile_.name, hsm_cannot_));
  auto status = store_.status(id);
  if (!status) return status.error();
  if (status->state == db::AppState::encoding) {
    if (auto s = recover_interrupted(id); !s) return s.error();
    status->state = db::AppState::queued;
  }
  std::optional<personalization::PreparedCard> card;
  if (status->state == db::AppState::validated || status->state == db::AppState::queued) {
    auto prepared = prepare(id);
    if (!prepared) return prepared.error();
    card = std::move(*prepared);
  } else if (status->state == db::AppState::prepared) {
    auto record = store_.prepared(id);
    if (!record) return record.error();
    if (!*record)
      return make_error(db::DbError::corrupt,
                        fmt::format("application {} has no prepared card", id));
    auto loaded = load_prepared(**record);
    if (!loaded) return loaded.error();
    card = std::move(*loaded);
  } else {
    return illegal(id, status->state, "encode");
  }
  if (progress) progress(fmt::format("prepared: card number {}", card->card_number));

  std::string claimed;
  personalization::EncodeHooks hooks;
  hooks.claim_chip = [&](const std::string& chip) -> Status {
    if (auto s = store_.claim_card(id, chip, actor_); !s) return s;
    claimed = chip;
    return {};
  };
  hooks.progress = progress;
  auto result = personalization::encode_card(reader, hsm_, profile_, *card, hooks);
  if (!result) {
    if (!claimed.empty()) {
      const auto reason =
          personalization::spoil_reason(static_cast<EncodeError>(result.error().code.value()));
      if (auto s = store_.spoil_card(id, claimed, reason, actor_); !s) return s.error();
      (void)store_.audit(actor_, "card.spoiled", claimed, result.error().describe());
    }
    return result.error();
  }
  if (auto s = store_.finish_card(id, claimed, actor_); !s) return s.error();
  return EncodeOutcome{result->chip_id, card->card_number, result->card_identification_code,
                       result->commands};
}

}  // namespace cardd::server
