// STORE DATA command data → DGIs (2-byte tag, length 1 byte or FF + 2 bytes,
// value). The host normally sends whole DGIs; a clear DGI longer than one
// command (the photo file) may continue into the following commands, as
// EMV CPS allows, and is handed out once complete.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "reply.h"

namespace cardd::vcard {

struct Dgi {
  std::uint16_t tag = 0;
  Bytes value;
};

class DgiStream {
 public:
  // The DGIs this command completes, or 6A80 for a malformed one (the
  // partial DGI is then dropped too). Encrypted commands must hold whole
  // DGIs; the last block must not leave one open.
  std::variant<std::vector<Dgi>, StatusWord> feed(ByteView data, bool encrypted, bool last_block);
  void reset() { pending_.reset(); }

 private:
  std::optional<Dgi> pending_;
  std::size_t pending_length_ = 0;
};

}  // namespace cardd::vcard
