// The commands an application answers once selected (SSSE or FIN, in any
// life cycle; they need only the data to exist): READ RECORD, READ BINARY,
// UPDATE RECORD, VERIFY, GET CHALLENGE, EXTERNAL and INTERNAL AUTHENTICATE.
// Reading and updating a file take what its access rule says.
#pragma once

#include <set>

#include "cardd/card/apdu.h"
#include "file_system.h"
#include "reply.h"

namespace cardd::vcard {

using card::CommandApdu;

// What the selected application remembers until reset or re-selection.
struct ApplicationSession {
  Application app = Application::ssse;
  const FileInfo* current = nullptr;  // current EF or DF, none after SELECT by AID
  bool pin_verified = false;
  Bytes challenge;                       // the last GET CHALLENGE, good for one try
  std::set<std::uint8_t> authenticated;  // keys an EXTERNAL AUTHENTICATE proved
};

Reply read_record(const ApplicationData& data, ApplicationSession& s, const CommandApdu& c);
Reply read_binary(const ApplicationData& data, ApplicationSession& s, const CommandApdu& c);
// Replaces a record (by number or by tag) with one of the same tag.
Reply update_record(ApplicationData& data, ApplicationSession& s, const CommandApdu& c);
Reply get_challenge(ApplicationSession& s, const CommandApdu& c);
// The terminal proves a key: its cryptogram is the last challenge, padded
// with 00 to the cipher's block, encrypted (ECB) under key P2.
Reply external_authenticate(const ApplicationData& data, ApplicationSession& s, Cipher cipher,
                            const CommandApdu& c);
// Changes the PIN try counter in `data` (the caller persists it).
Reply verify(ApplicationData& data, ApplicationSession& s, const CommandApdu& c);
Reply internal_authenticate(const ApplicationData& data, Cipher cipher, const CommandApdu& c);

}  // namespace cardd::vcard
