// Blank-card stock, the cards bound to applications, the number allocators
// and the prepared cards: the part of the store that data preparation,
// encoding and printing use.
//
// A state change of a card moves its application too, in one transaction
// with the history event, audit entry and outbox message. The prepared card
// (PAN, name, ID number, data) is sealed at rest; the PAN is kept unique
// through its keyed hash.
//
// Thread safety: as ApplicationRepository.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cardd/common/result.h"
#include "cardd/db/error.h"
#include "cardd/db/records.h"

namespace cardd::db {

// A lot of blank cards as received from the card vendor: consecutive IC
// serial numbers. `chip_prefix` (CPLC IC fabricator + IC type, 8 hex digits)
// narrows the lot to one chip family; empty accepts any.
struct CardLot {
  std::string lot;
  std::string chip_prefix;
  std::uint32_t first_serial = 0;
  std::int64_t count = 0;
};

struct StockLine {
  std::string lot;
  std::string chip_prefix;
  std::uint32_t first_serial = 0;
  std::int64_t received = 0;
  std::int64_t used = 0;  // encoded cards
  std::int64_t spoiled = 0;
  std::int64_t in_progress = 0;  // claimed by a session that has not finished
  std::int64_t left = 0;         // received - used - spoiled - in_progress
};

enum class CardState { encoding, encoded, spoiled };
std::string_view to_string(CardState s);

// The numbers of a spoiled card that may still hold them (see
// CardRepository::spoil_card_retiring_numbers): the bank blocks them.
struct RetiredNumber {
  std::string card_number;
  std::string application_id;
  std::string chip_id;
  std::string reason;
  std::string retired_at;
};

struct CardRecord {
  std::string chip_id;
  std::string lot;
  std::string application_id;
  CardState state = CardState::encoding;
  std::string reason;  // spoil reason
};

// The session that holds an application's encoding claim (its ENCODING
// card). `holder` names the process and reader ("host/pid/reader"); the
// lease is renewed whenever the holder checks its claim.
struct CardClaim {
  std::string chip_id;
  std::string holder;
  std::int64_t lease_until = 0;  // unix seconds
  bool written = false;          // the holder asked to write the card
};

class CardRepository {
 public:
  virtual ~CardRepository() = default;

  // --- blank-card stock and cards ------------------------------------------
  // conflict when the lot exists or overlaps another lot's serials.
  virtual Status add_lot(const CardLot& lot, std::string_view actor) = 0;
  virtual Result<std::vector<StockLine>> stock() = 0;
  // Spoiled cards per reason ("card_removed", "interrupted", "qc_mismatch" …).
  virtual Result<std::map<std::string, std::int64_t>> spoiled_by_reason() = 0;
  // Binds a blank chip to an application: PREPARED → ENCODING and the card
  // ENCODING, in one transaction, held by `holder` for `lease_seconds`.
  // not_in_stock, card_used, illegal_transition.
  virtual Status claim_card(std::string_view application_id, std::string_view chip_id,
                            std::string_view actor, std::string_view holder = {},
                            std::int64_t lease_seconds = 0) = 0;
  // The holder's check before it writes the card: its card is still ENCODING
  // and held by it. Renews the lease and records that the card is written;
  // claim_lost otherwise.
  virtual Status hold_claim(std::string_view application_id, std::string_view chip_id,
                            std::string_view holder, std::int64_t lease_seconds) = 0;
  // The ENCODING card of the application with its holder, if any.
  virtual Result<std::optional<CardClaim>> active_claim(std::string_view application_id) = 0;
  // ENCODING → ENCODED; the card counts as used.
  virtual Status finish_card(std::string_view application_id, std::string_view chip_id,
                             std::string_view actor) = 0;
  // The card (ENCODING, or ENCODED when printing or QC failed) is SPOILED
  // with `reason`; the application goes back to QUEUED.
  virtual Status spoil_card(std::string_view application_id, std::string_view chip_id,
                            std::string_view reason, std::string_view actor) = 0;
  // The same for a written card that could not be made unusable (it left
  // its reader): its card number and PAN are retired with it in the same
  // transaction, never to be issued again, and the application's next
  // preparation allocates new ones, so no second card carries them.
  virtual Status spoil_card_retiring_numbers(std::string_view application_id,
                                             std::string_view chip_id, std::string_view reason,
                                             std::string_view actor) = 0;
  virtual Result<std::vector<RetiredNumber>> retired_numbers() = 0;
  virtual Result<std::vector<CardRecord>> cards_of(std::string_view application_id) = 0;
  // The chip's record; nullopt for a blank chip cardd never claimed.
  virtual Result<std::optional<CardRecord>> card(std::string_view chip_id) = 0;

  // --- data preparation -----------------------------------------------------
  // The next number of the named counter in [first, last], never handed out
  // twice (exhausted when the range is used up).
  virtual Result<std::int64_t> allocate(std::string_view counter, std::int64_t first,
                                        std::int64_t last) = 0;
  // Stores the prepared card and moves QUEUED → PREPARED in one transaction.
  // A re-queued application keeps its first record (same numbers).
  virtual Status save_prepared(std::string_view application_id, const PreparedRecord& record,
                               std::string_view actor) = 0;
  // The prepared card, opened; audited like ApplicationRepository::sensitive().
  virtual Result<std::optional<PreparedRecord>> prepared(std::string_view application_id,
                                                         std::string_view actor,
                                                         std::string_view purpose) = 0;

 protected:
  CardRepository() = default;
  CardRepository(const CardRepository&) = default;
  CardRepository& operator=(const CardRepository&) = default;
};

}  // namespace cardd::db
