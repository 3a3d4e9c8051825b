// The commands an application answers once selected (SSSE or FIN, in any
// life cycle; they need only the data to exist): READ RECORD, READ BINARY,
// VERIFY and INTERNAL AUTHENTICATE.
#pragma once

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
};

Reply read_record(const ApplicationData& data, ApplicationSession& s, const CommandApdu& c);
Reply read_binary(const ApplicationData& data, ApplicationSession& s, const CommandApdu& c);
// Changes the PIN try counter in `data` (the caller persists it).
Reply verify(ApplicationData& data, ApplicationSession& s, const CommandApdu& c);
Reply internal_authenticate(const ApplicationData& data, Cipher cipher, const CommandApdu& c);

}  // namespace cardd::vcard
