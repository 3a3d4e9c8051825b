// A card's answer before it is put on the wire: response data and status word.
#pragma once

#include "cardd/card/status_word.h"
#include "cardd/vcard/card_state.h"

namespace cardd::vcard {

namespace sw = card::sw;
using card::StatusWord;

struct Reply {
  Bytes data;
  StatusWord sw = sw::kSuccess;
};

inline Reply no_data(StatusWord status) { return Reply{{}, status}; }

inline Bytes encode(Reply r) {
  r.data.push_back(r.sw.sw1());
  r.data.push_back(r.sw.sw2());
  return std::move(r.data);
}

}  // namespace cardd::vcard
