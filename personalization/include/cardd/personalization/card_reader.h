// Reading a personalized card the way a branch counter or QC does: only the
// applications' public commands (SELECT, READ RECORD, READ BINARY), no keys.
#pragma once

#include <map>
#include <string>

#include "cardd/card/reader.h"
#include "cardd/common/result.h"
#include "cardd/personalization/card_profile.h"

namespace cardd::personalization {

struct CardContents {
  std::string chip_id;
  // Data items by name, decoded to text ("holder.name" includes its
  // extension record). Items the card does not hold are absent.
  std::map<std::string, std::string, std::less<>> items;
  // "SECURED" (personalization closed), "INITIALIZED" (blank / open) or
  // "BLOCKED" (card manager keys blocked), from the card manager's answer
  // to INITIALIZE UPDATE.
  std::string life_cycle;
};

Result<CardContents> read_card(card::Reader& reader, const CardProfile& profile);

}  // namespace cardd::personalization
