// Reading a personalized card the way a branch counter, a hospital reader or
// QC does: the applications' public commands (SELECT, READ RECORD, READ
// BINARY) and, for the files whose access rule asks for it, the terminal's
// EXTERNAL AUTHENTICATE with the key its PSAM holds (here: the HSM).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cardd/card/reader.h"
#include "cardd/common/result.h"
#include "cardd/hsm/hsm.h"
#include "cardd/personalization/card_profile.h"

namespace cardd::personalization {

struct CardContents {
  std::string chip_id;
  // Data items by name, decoded to text ("holder.name" includes its
  // extension record). Items the card does not hold are absent.
  std::map<std::string, std::string, std::less<>> items;
  // The card's GlobalPlatform life cycle ("SECURED", "INITIALIZED", ...) and
  // each application's ("PERSONALIZED", "SELECTABLE", ...), by GET STATUS in
  // a channel opened with the card's keys; "UNKNOWN (why)" without them.
  std::string life_cycle;
  std::map<std::string, std::string, std::less<>> application_life_cycles;
  // Files left unread, each with the reason ("holder: needs the key
  // \"reading\" (0A): no HSM").
  std::vector<std::string> unread;
};

// `hsm`, when given, holds the master keys the terminal's keys derive from:
// the reading keys of protected files and the card manager's KMC. Without
// it only free files are read and the life cycle is unknown. A key the HSM
// lacks is an error that names it. The reading keys are diversified by
// `card_number`, or when it is empty by the card number EF05 holds (QC
// passes the number it expects, so that a wrong number on the chip shows
// as a mismatch, not as a refused key).
Result<CardContents> read_card(card::Reader& reader, const CardProfile& profile,
                               hsm::Hsm* hsm = nullptr, std::string_view card_number = {});

}  // namespace cardd::personalization
