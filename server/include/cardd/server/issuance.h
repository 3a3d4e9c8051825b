// Issuance of one application's card: data preparation and the encoding
// session, with the records that go with them (numbers allocated once,
// blank-card stock, spoiled cards, state changes). The one place where
// personalization/ (no database) meets db/.
//
// Thread safety: one Issuance may serve several readers at once; each call
// works on its own application and reader.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cardd/card/reader.h"
#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_data.h"
#include "cardd/personalization/card_profile.h"
#include "cardd/personalization/encoding_session.h"
#include "cardd/server/clock.h"
#include "cardd/server/issuance_repositories.h"

namespace cardd::server {

struct EncodeOutcome {
  std::string chip_id;
  std::string card_number;
  std::string card_identification_code;
  int commands = 0;
};

class Issuance {
 public:
  // `store` must have been opened with a sealer (server/hsm_sealer.h): the
  // prepared card is personal data. `clock` dates the card (issue date).
  Issuance(IssuanceRepositories store, hsm::Hsm& hsm, personalization::CardProfile profile,
           std::string actor, Clock clock = system_clock());

  // VALIDATED or QUEUED → PREPARED: allocates the card number and PAN (or
  // keeps those of an earlier preparation), builds the card data and stores
  // it as a prepared record, sealed by the store. Preparation errors (a name
  // GB 18030 cannot encode, no BIN for the bank) leave the application
  // QUEUED, audited with the reason.
  Result<personalization::PreparedCard> prepare(std::string_view application_id);

  // Prepares when needed, then personalizes the card in `reader`. Refused
  // at once (hsm_failure) when the HSM cannot do what the profile needs. When the
  // session fails after the chip was claimed, the card is SPOILED with the
  // classified reason (terminated first when it was written and is still in
  // the reader) and the application goes back to QUEUED; the error
  // (personalization::EncodeError) says why.
  //
  // The claim is fenced: the session checks it before every write and stops
  // (claim_lost) once another session took it over. An application left in
  // ENCODING is taken over only when its holder is gone (claim_held
  // otherwise), and its card is looked at before anything is spoiled: in
  // `reader` and complete, it is recorded ENCODED (the outcome); in `reader`
  // and incomplete, it is terminated and spoiled as interrupted_terminated
  // (card_used: take the next blank card); elsewhere and never written, it is
  // spoiled as interrupted; elsewhere and maybe written, nothing changes
  // until that card is brought (claim_held).
  Result<EncodeOutcome> encode(std::string_view application_id, card::Reader& reader,
                               const std::function<void(std::string_view)>& progress = {});

  // The printer gave up on the card face of an application whose card is in
  // `reader` (the job aborted): printing again under the same job would find
  // the same aborted job, and what the printer did to the card is unknown.
  // The card is terminated and spoiled as print_failed (its numbers retired
  // when it cannot be terminated); the application is queued for a new card.
  Status spoil_unprinted(std::string_view application_id, card::Reader& reader, const Error& why);

  const personalization::CardProfile& profile() const { return profile_; }

 private:
  Result<personalization::HolderData> holder(std::string_view application_id,
                                             const db::ApplicationDetails& details);
  // The prepared card of the stored record. Errors: db.corrupt when there is
  // none (every caller has an application that must have one).
  Result<personalization::PreparedCard> load_prepared(std::string_view application_id,
                                                      std::string_view purpose);
  // The interrupted session's outcome when its card is recovered; nullopt
  // when the application is free for a new card.
  Result<std::optional<EncodeOutcome>> recover_interrupted(std::string_view application_id,
                                                           card::Reader& reader);
  Result<std::optional<EncodeOutcome>> settle_card_in_hand(std::string_view application_id,
                                                           const db::CardClaim& claim,
                                                           card::Reader& reader);
  // Spoils a card that failed after the claim as `reason`; one that was
  // written and is still in `reader` is terminated first.
  Status spoil_failed(std::string_view application_id, const std::string& chip, bool written,
                      const personalization::PreparedCard& card, card::Reader& reader,
                      std::string_view reason, const Error& why);

  IssuanceRepositories store_;
  hsm::Hsm& hsm_;
  personalization::CardProfile profile_;
  std::string actor_;
  Clock clock_;
  std::string hsm_cannot_;  // what the profile needs and the HSM cannot do
};

}  // namespace cardd::server
