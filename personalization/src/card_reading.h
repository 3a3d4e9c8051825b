// Reading what a personalized card holds through the applications' own
// commands; shared by the session's read-back and read_card.
#pragma once

#include "cardd/card/apdu.h"
#include "cardd/card/reader.h"
#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_profile.h"

namespace cardd::personalization {

// READ RECORD of record n (0-based) of a record file: by its tag when the
// file is addressed by tag, else by number.
card::CommandApdu read_record_command(const FileSpec& file, std::size_t n);

// The whole content of a transparent file of the selected application:
// SELECT by FID, then READ BINARY in 256-byte pieces until 6282 (end of
// file) or a short piece.
Result<card::Bytes> read_transparent(card::Reader& reader, const FileSpec& file);

// The terminal's side of the application's EXTERNAL AUTHENTICATE (what a
// PSAM does): GET CHALLENGE (8 bytes), the challenge padded with 00 to the
// cipher's block and encrypted (ECB) in the HSM under `key`, sent for key
// reference `reference`. A refusal is EncodeError::key_proof_failed.
Status authenticate_terminal(card::Reader& reader, hsm::Hsm& hsm, const std::string& key,
                             std::uint8_t reference, std::size_t block);

}  // namespace cardd::personalization
