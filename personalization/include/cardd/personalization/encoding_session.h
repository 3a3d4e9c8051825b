// The encoding session: one prepared card onto one blank chip through one
// reader (spec/card.md, "The dialogue with a blank card"): read the chip
// serial, let the caller claim it, open the secure channel with the
// diversified card-manager keys, STORE DATA every DGI (keys and PIN
// encrypted under the DEK inside the HSM), read every record back through
// the application's own commands, prove every key by INTERNAL AUTHENTICATE,
// close the life cycle and check that the card now refuses personalization.
//
// personalization/ never touches the database: the caller decides what the
// chip serial may be used for (claim_chip) and what a failure means for its
// records.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <system_error>

#include "cardd/card/reader.h"
#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_data.h"
#include "cardd/personalization/card_profile.h"

namespace cardd::personalization {

// Every failure of a session, classified; the code name is the spoil reason.
enum class EncodeError {
  card_removed = 1,   // the card left the reader during the session
  mute_card,          // the card stopped answering
  reader_lost,        // the reader went away
  no_card,            // nothing in the slot when the session began
  wrong_status_word,  // the card refused a command (the message names it and the SW)
  secure_channel,     // card cryptogram, R-MAC or key version mismatch; keys blocked
  readback_mismatch,  // a record or file reads back different from what was written
  key_proof_failed,   // INTERNAL AUTHENTICATE or the PIN did not prove the key
  lock_failed,        // the card still accepts personalization after SET STATUS
  hsm_failure,        // the HSM could not do its part (keys missing, HSM gone)
  chip_refused,       // claim_chip said no: not in stock, or already used
  bad_card,           // the card's answers make no sense (CPLC, TLV)
  bad_data,           // the prepared data cannot be written with this profile
  claim_lost,         // hold_claim said no: another session took the application over
};
const std::error_category& encode_category();
inline std::error_code make_error_code(EncodeError e) {
  return {static_cast<int>(e), encode_category()};
}
// "card_removed", ...: the spoil reason stored with the card.
std::string_view spoil_reason(EncodeError e);

struct EncodeHooks {
  // Called with the CHIP ID (16 hex digits) before anything is written; an
  // error stops the session untouched (chip_refused).
  std::function<Status(const std::string& chip_id)> claim_chip;
  // Called before every command that writes the card (INSTALL, STORE DATA,
  // SET STATUS): an error stops the session before the write (claim_lost),
  // so a session whose claim was taken over never writes again.
  std::function<Status()> hold_claim;
  // One line per step, for operators ("store data ssse: 4 commands").
  std::function<void(std::string_view step)> progress;
};

struct EncodeResult {
  std::string chip_id;                   // 16 hex digits (CPLC fabricator, type, serial)
  std::string card_identification_code;  // 16 bytes as 32 hex digits
  int commands = 0;                      // APDUs exchanged
};

// Errors are EncodeError values; once claim_chip has succeeded the card may
// hold part of the data and must be treated as spoiled on any error.
Result<EncodeResult> encode_card(card::Reader& reader, hsm::Hsm& hsm, const CardProfile& profile,
                                 const PreparedCard& card, const EncodeHooks& hooks);

// Whether the card in the reader is `card`, complete: every record reads
// back as written, every key proves itself, personalization is closed.
// readback_mismatch / key_proof_failed / lock_failed say what is missing.
Result<EncodeResult> verify_card(card::Reader& reader, hsm::Hsm& hsm, const CardProfile& profile,
                                 const PreparedCard& card);

// Makes a card that was (partly) written for `card` unusable: its card
// manager sets the card life cycle TERMINATED, after which the card answers
// nothing but its CPLC. Needs a card whose personalization is still open.
Status terminate_card(card::Reader& reader, hsm::Hsm& hsm, const CardProfile& profile,
                      const PreparedCard& card);

// CHIP ID of the card in the reader (GET DATA CPLC), as 16 hex digits.
Result<std::string> read_chip_id(card::Reader& reader);

// GlobalPlatform life cycles by GET STATUS, in a secure channel opened with
// the card's keys (derived in the HSM from the CHIP ID): the card's and each
// profile application's.
struct LifeCycles {
  std::uint8_t card = 0;
  std::map<std::string, std::uint8_t, std::less<>> applications;  // by profile name
};
Result<LifeCycles> read_life_cycles(card::Reader& reader, hsm::Hsm& hsm,
                                    const CardProfile& profile);
// "SECURED", "INITIALIZED", ...; "PERSONALIZED", "SELECTABLE", ...
std::string card_life_cycle_name(std::uint8_t value);
std::string application_life_cycle_name(std::uint8_t value);

}  // namespace cardd::personalization

template <>
struct std::is_error_code_enum<cardd::personalization::EncodeError> : std::true_type {};
